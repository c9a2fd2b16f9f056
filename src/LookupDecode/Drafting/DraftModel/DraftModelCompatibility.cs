using System.Collections.Concurrent;
using LookupDecode.Models;

namespace LookupDecode.Drafting.DraftModel;

/// <summary>Checks a draft model against its target once per pair of files (the GGUF metadata is read once, not per generation).</summary>
internal static class DraftModelCompatibility
{
    private static readonly ConcurrentDictionary<(string Target, string Draft), string?> Checked = new();

    public static void Require(LlamaModel target, LlamaModel draft)
    {
        var difference = Checked.GetOrAdd((target.Path, draft.Path), pair => VocabularyCompatibility.FirstDifference(
            Gguf.GgufReader.Read(pair.Target), Gguf.GgufReader.Read(pair.Draft)));
        if (difference is not null)
        {
            throw new VocabularyMismatchException(target.Path, draft.Path, difference);
        }
    }
}
