using System.CommandLine;
using System.Globalization;
using LookupDecode.Decoding;
using LookupDecode.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace LookupDecode.Cli.Commands;

/// <summary>
/// <c>lookupdecode chat</c>: an interactive console chat through the hosted <see cref="IChatClient"/> — the embedding
/// sample. Tokens that were accepted drafts are highlighted; each turn ends with its statistics.
/// </summary>
internal static class ChatCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new ModelArguments();
        var draftModel = new DraftModelArguments();
        var mode = new Option<string>("--mode")
        {
            Description = $"Drafting preset: {string.Join(", ", LookupDecode.Drafting.DraftingPresets.AllNames)}, PRESET-dN or PRESET-auto.",
            DefaultValueFactory = _ => "auto",
        };
        var draft = new Option<string?>("--draft") { Description = "Draft tokens per step: auto (adaptive) or a fixed number; default: the preset's own." };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Most tokens per reply.", DefaultValueFactory = _ => 256 };
        var template = new Option<string>("--template") { Description = "auto, model, raw or a llama.cpp template name.", DefaultValueFactory = _ => "auto" };
        var system = new Option<string?>("--system") { Description = "System message opening the conversation." };
        var command = new Command("chat", "Chat with a model in the console; accepted draft tokens are highlighted, statistics follow each reply. Empty line or /exit quits.");
        model.AddTo(command);
        draftModel.AddPathAndFloorTo(command);
        command.Options.Add(mode);
        command.Options.Add(draft);
        command.Options.Add(maxTokens);
        command.Options.Add(template);
        command.Options.Add(system);
        command.SetAction(async (result, cancellationToken) =>
        {
            var modelOptions = model.ToOptions(result);
            var modelPath = model.PathOf(result, cli);
            var plan = GenerationArguments.PlanFor(result.GetValue(mode)!, result.GetValue(draft));
            draftModel.RequireConsistent(result, [plan], mode.Name);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.AddSimpleConsole(options => options.SingleLine = true).AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(result.GetValue(model.Verbose) ? LogLevel.Debug : LogLevel.Warning);
            // llama.cpp's own log is silent unless --verbose, as in every other command; a failed start is reported as one
            // line below, not as the host's stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", result.GetValue(model.Verbose) ? LogLevel.Debug : LogLevel.None);
            builder.Logging.AddFilter(LookupDecode.Native.LlamaRuntime.NativeLogCategory, result.GetValue(model.Verbose) ? LogLevel.Debug : LogLevel.None);
            builder.Services.AddLookupDecoding(options =>
            {
                options.ModelPath = modelPath;
                options.Model = modelOptions;
                options.MaxConcurrentRequests = 1;
                // --draft auto is the presets' own adaptive length; a number is passed on (GenerationArguments.PlanFor checked it).
                options.DefaultDrafting = result.GetValue(draft) == "auto" && !plan.IsGreedy ? $"{plan.Name}-auto" : plan.Name;
                options.DraftLength = plan.IsGreedy || result.GetValue(draft) is null or "auto" ? null : plan.MaxLength;
                options.DefaultMaxOutputTokens = result.GetValue(maxTokens);
                options.ChatTemplate = result.GetValue(template)!;
                options.DraftModelPath = result.GetValue(draftModel.Path);
                options.DraftMinProbability = result.GetValue(draftModel.MinProbability);
            });
            using var host = builder.Build();
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException exception)
            {
                // One line naming the flag, as every other command does (the host's own failure log is filtered out above).
                var failure = string.Join(" ", exception.Failures);
                var flag = failure.StartsWith(nameof(LookupDecodeOptions.ChatTemplate), StringComparison.Ordinal) ? template.Name
                    : failure.StartsWith(nameof(LookupDecodeOptions.DefaultDrafting), StringComparison.Ordinal) ? mode.Name
                    : failure.StartsWith(nameof(LookupDecodeOptions.DraftLength), StringComparison.Ordinal) ? draft.Name
                    : failure.StartsWith(nameof(LookupDecodeOptions.DefaultMaxOutputTokens), StringComparison.Ordinal) ? maxTokens.Name
                    : "chat options";
                throw new Models.InvalidOptionException(flag, failure);
            }

            var client = host.Services.GetRequiredService<IChatClient>();
            var console = Output.ConsoleFactory.For(cli.Output);
            var history = new List<ChatMessage>();
            if (result.GetValue(system) is { Length: > 0 } systemText)
            {
                history.Add(new ChatMessage(ChatRole.System, systemText));
            }

            console.MarkupLine("[grey]Chat with {0}; [blue]blue[/] text was drafted and verified for free. Empty line or /exit quits.[/]",
                Markup.Escape(Path.GetFileName(modelPath)));
            while (!cancellationToken.IsCancellationRequested)
            {
                cli.Output.Write("> ");
                // Console input reads synchronously underneath; waiting on the task keeps Ctrl+C effective at the prompt.
                var line = await cli.Input.ReadLineAsync(cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrWhiteSpace(line) || line.Trim() == "/exit")
                {
                    break;
                }

                history.Add(new ChatMessage(ChatRole.User, line));
                var reply = new System.Text.StringBuilder();
                ChatResponseUpdate? last = null;
                try
                {
                    await foreach (var update in client.GetStreamingResponseAsync(history, cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        reply.Append(update.Text);
                        var drafted = update.AdditionalProperties?.TryGetValue(ChatStatistics.WasDrafted, out var flag) == true && flag is true;
                        console.Markup(drafted ? $"[blue]{Markup.Escape(update.Text)}[/]" : Markup.Escape(update.Text));
                        last = update;
                    }
                }
                catch (Exception exception) when (exception is LookupDecode.Text.UnsupportedTextException or LookupDecode.Decoding.PromptTooLongException)
                {
                    // This message cannot be sent; the conversation so far stays and the next line can.
                    history.RemoveAt(history.Count - 1);
                    console.MarkupLine($"[red]{Markup.Escape(exception.Message)}[/]");
                    continue;
                }

                history.Add(new ChatMessage(ChatRole.Assistant, reply.ToString()));
                console.WriteLine();
                if (last?.AdditionalProperties is { } stats)
                {
                    console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                        $"[grey]{stats[ChatStatistics.TokensPerSecond]} tokens/s · drafted {stats[ChatStatistics.Drafted]}, accepted {stats[ChatStatistics.Accepted]} ({stats[ChatStatistics.AcceptPercent]}%) · {stats[ChatStatistics.DecodeCalls]} decode calls[/]"));
                }
            }

            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return CliApplication.Success;
        });
        return command;
    }
}
