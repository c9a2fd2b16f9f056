using LookupDecode.Decoding;
using LookupDecode.Models;
using LookupDecode.Tests.Support;
using LookupDecode.Text;

namespace LookupDecode.Tests.Decoding;

[Collection(SharedModelsCollection.Name)]
public sealed class RobustnessTests(SharedModels models) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public void A_model_file_replaced_on_disk_while_loaded_keeps_generating_the_same_text()
    {
        var path = _temp.File("swapped.gguf");
        File.Copy(TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K)), path);
        using var model = LlamaModel.Load(path, new ModelOptions { ContextSize = 256, Threads = 2 });
        using var session = model.CreateSession();
        var before = session.Generate("Once upon a time", new GenerationOptions { MaxTokens = 16 });

        // Replace the file by rename (how updates land) with a different model, then delete it: the loaded one is untouched.
        var replacement = _temp.File("replacement.gguf");
        File.Copy(TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom)), replacement);
        File.Move(replacement, path, overwrite: true);
        File.Delete(path);

        using var another = model.CreateSession();
        Assert.Equal(before.Tokens, session.Generate("Once upon a time", new GenerationOptions { MaxTokens = 16 }).Tokens);
        Assert.Equal(before.Tokens, another.Generate("Once upon a time", new GenerationOptions { MaxTokens = 16 }).Tokens);
    }

    [ModelTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void A_batch_smaller_than_the_drafts_and_tree_branches_generates_the_greedy_text(int batch)
    {
        // llama.cpp aborted creating a context whose batch held fewer tokens than its sequences (GGML_ASSERT n_outputs_max).
        using var model = LlamaModel.Load(TestPaths.Model(TestModelNames.FileOf(TestModelNames.Stories260K)), new ModelOptions { ContextSize = 256, Threads = 2, BatchSize = batch });
        using var session = model.CreateSession();
        var prompt = model.Tokenize("Once upon a time, there was a little girl named Lily. She");
        var greedy = session.Generate(prompt, new GenerationOptions { MaxTokens = 48 }).Tokens;

        foreach (var preset in (string[])["lookup-d8", "suffix-d8", "tree", "pld-d8"])
        {
            var drafted = session.Generate(prompt, new GenerationOptions { MaxTokens = 48, Drafting = LookupDecode.Drafting.DraftingPresets.Get(preset) });
            Assert.Equal(greedy, drafted.Tokens);
        }

        // An engine of more sequences than the batch holds is refused, not an abort.
        var error = Assert.Throws<InvalidOptionException>(() => model.CreateEngine(new EngineOptions { Sequences = batch + 1 }));
        Assert.Equal(nameof(ModelOptions.BatchSize), error.OptionName);
    }

    [ModelFact]
    public void Cancellation_during_prefill_leaves_the_session_reusable()
    {
        var model = models.Get(TestModelNames.Stories260K);
        using var session = model.CreateSession();
        var prompt = model.Tokenize(PromptFile.ReadText(TestPaths.Prompt("summarize-article")));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var error = Assert.Throws<GenerationCanceledException>(() => session.Generate(prompt, new GenerationOptions { MaxTokens = 8 }, cancellationToken: cancelled.Token));

        Assert.Empty(error.PartialResult.Tokens);
        Assert.Equal(8, session.Generate(prompt, new GenerationOptions { MaxTokens = 8 }).Tokens.Count);
    }

    [ModelFact]
    public void Cancellation_of_a_lookup_run_keeps_what_was_generated_and_saves_the_dynamic_cache()
    {
        var model = models.Get(TestModelNames.TinyRandom);
        using var session = model.CreateSession();
        var dynamicPath = _temp.File("dynamic.lcd.bin");
        using var cancellation = new CancellationTokenSource();
        var options = new GenerationOptions
        {
            Drafting = LookupDecode.Drafting.DraftingPresets.Get("lookup-d10"),
            MaxTokens = 64,
            Lookup = LookupDecode.Drafting.LookupCacheOptions.FromFiles(null, dynamicPath),
        };

        var error = Assert.Throws<GenerationCanceledException>(() => session.Generate(PromptFile.ReadText(TestPaths.Prompt("story")), options,
            token =>
            {
                if (token.Index >= 20)
                {
                    cancellation.Cancel();
                }
            }, cancellation.Token));

        // The run's n-grams reach the dynamic cache even when cancelled; its file is the caller's to save (the loop touches none).
        Assert.True(error.PartialResult.Tokens.Count >= 21);
        Assert.True(options.Lookup.DynamicCache!.Count > 0);
        Assert.False(File.Exists(dynamicPath));
    }

    [ModelFact]
    public void A_session_refuses_a_second_concurrent_generation()
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        Exception? inner = null;

        session.Generate("Once upon a time", new GenerationOptions { MaxTokens = 4 }, _ =>
        {
            inner ??= Record.Exception(() => session.Generate("again", new GenerationOptions { MaxTokens = 2 }));
        });

        Assert.IsType<InvalidOperationException>(inner);
    }

    [ModelFact]
    public void Prompt_tokens_outside_the_vocabulary_are_refused_before_decoding()
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();

        var error = Assert.Throws<InvalidOptionException>(() => session.Generate([1, 600, 2], new GenerationOptions { MaxTokens = 2 }));

        Assert.Contains("600", error.Message, StringComparison.Ordinal);
    }

    [ModelFact]
    public void A_static_cache_from_another_tokenizer_is_refused()
    {
        using var session = models.Get(TestModelNames.Stories260K).CreateSession();
        var foreign = LookupDecode.Ngrams.NgramCache.Load(TestPaths.Fixture("upstream", "static-corpus.lcs.bin"));

        var error = Assert.Throws<InvalidOptionException>(() => session.Generate("Once upon a time",
            new GenerationOptions { Drafting = LookupDecode.Drafting.DraftingPresets.Get("lookup-d10"), Lookup = new LookupDecode.Drafting.LookupCacheOptions { StaticCache = foreign } }));

        Assert.Contains("another tokenizer", error.Message, StringComparison.Ordinal);
    }
}
