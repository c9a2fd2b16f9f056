using LookupDecode.Decoding;
using LookupDecode.Drafting;
using LookupDecode.Drafting.Suffix;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Decoding;

/// <summary>
/// Drafts from a memory made with another vocabulary (token ids the model does not have) only cost speed: they are never
/// verified, so generation neither fails inside llama.cpp nor changes, in a session and in the engine, chain and tree.
/// </summary>
[Collection(SharedModelsCollection.Name)]
public sealed class ForeignDraftTests(SharedModels models)
{
    [ModelTheory]
    [InlineData("suffix")]
    [InlineData("auto")]
    [InlineData("tree")]
    public async Task A_suffix_memory_with_ids_outside_the_vocabulary_changes_nothing(string preset)
    {
        var llama = models.Get(TestModelNames.TinyRandom);
        var prompt = llama.Tokenize("Once upon a time");
        var vocabulary = llama.Info.VocabularySize;
        var memory = new SuffixMemory();
        using (var plain = llama.CreateSession())
        {
            // The model's own continuation, with every other token replaced by ids it does not have: the suffix index
            // matches the real ones and proposes the foreign ones.
            var output = plain.Generate(prompt, new GenerationOptions { MaxTokens = 64 }).Tokens.ToArray();
            memory.Add([.. prompt, .. output.Select((token, i) => i % 2 == 1 ? vocabulary + i : token)]);
            memory.Add([.. prompt, .. output.Select(token => token + vocabulary)]);
        }

        var options = new GenerationOptions { Drafting = DraftingPresets.Get(preset), MaxTokens = 64, SuffixMemory = memory };
        using var session = llama.CreateSession();
        var greedy = session.Generate(prompt, new GenerationOptions { MaxTokens = 64 }).Tokens;

        Assert.Equal(greedy, session.Generate(prompt, options).Tokens);
        using var engine = llama.CreateEngine(new EngineOptions { Sequences = 2 });
        var results = await Task.WhenAll(engine.GenerateAsync(prompt, options), engine.GenerateAsync(prompt, options));
        Assert.All(results, result => Assert.Equal(greedy, result.Tokens));
    }
}
