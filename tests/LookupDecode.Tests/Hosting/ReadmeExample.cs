// README example: the lines between the markers are copied verbatim into src/LookupDecode.Hosting/README.md ("Embedding in a .NET app"),
// and ReadmeExampleTests checks that the two stay identical, so the README's example always compiles.
using LookupDecode.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LookupDecode.Tests.Hosting;

internal static class ReadmeExample
{
    public static async Task<string> RunAsync(string[] args, string modelPath)
    {
        // <readme-example>
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddLookupDecoding(options =>
        {
            options.ModelPath = modelPath;            // or bind the "LookupDecode" configuration section
            options.DefaultDrafting = "auto";          // a preset: greedy, lookup, prompt-lookup, auto, pld, …
        }).UseLogging();
        using var host = builder.Build();
        await host.StartAsync();
        var chat = host.Services.GetRequiredService<IChatClient>();
        var reply = await chat.GetResponseAsync("Once upon a time", new ChatOptions { MaxOutputTokens = 64 });
        Console.WriteLine($"{reply.Text}\n({reply.AdditionalProperties?["n_accept"]} drafted tokens accepted)");
        // </readme-example>
        await host.StopAsync();
        return reply.Text;
    }
}
