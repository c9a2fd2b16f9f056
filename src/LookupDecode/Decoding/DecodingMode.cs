namespace LookupDecode.Decoding;

/// <summary>Where draft tokens come from. Every mode emits exactly the tokens plain decoding would.</summary>
public enum DecodingMode
{
    /// <summary>No drafts: one token per <c>llama_decode</c> (greedy at temperature 0, sampled above).</summary>
    Greedy,

    /// <summary>Hugging Face prompt lookup: continue the most promising earlier occurrence of the last n-gram.</summary>
    PromptLookup,

    /// <summary>llama.cpp <c>examples/lookup</c>: context, dynamic and static n-gram caches.</summary>
    Lookup,
}
