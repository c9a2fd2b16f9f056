using LookupDecode.Native;

namespace LookupDecode.Decoding;

/// <summary>
/// One sequence of a <see cref="DecodingEngine"/>: the request running in it and where it stands. While
/// <see cref="IsFeeding"/>, the tokens <see cref="History"/>[<see cref="FedTo"/>, <see cref="FeedEnd"/>) still have to
/// enter the KV cache (the prompt, in chunks; or the history again after a failed rollback); then each step decodes its
/// <see cref="Pending"/> token at <see cref="Past"/> followed by its drafts.
/// </summary>
internal sealed class EngineSequence(int id, NativeContext context)
{
    private readonly int[] _drafts = new int[GenerationOptions.MaxDraftLength];

    /// <summary>The llama.cpp sequence id.</summary>
    public int Id { get; } = id;

    /// <summary>Selects at this sequence's batch indices (its step's index 0 is <see cref="BatchStart"/>).</summary>
    public OffsetSelector Selector { get; } = new();

    public EngineRequest? Request { get; private set; }

    public GenerationRun? Run { get; private set; }

    public ITokenSelector? OwnSelector { get; private set; }

    public bool IsFree => Request is null;

    public bool IsFeeding => FedTo < FeedEnd;

    /// <summary>Whether the feed ends by choosing the first token (a prompt) or resumes with <see cref="Pending"/> (a rebuild).</summary>
    public bool ChoosesAfterFeed { get; private set; }

    public int FedTo { get; set; }

    public int FeedEnd { get; private set; }

    /// <summary>Tokens of this sequence in the KV cache, i.e. the position of <see cref="Pending"/>.</summary>
    public int Past { get; set; }

    /// <summary>The last emitted token, not yet in the KV cache.</summary>
    public int Pending { get; set; }

    /// <summary>This step: index of its first token in the batch, and how many it put there.</summary>
    public int BatchStart { get; set; }

    public int BatchCount { get; set; }

    /// <summary>This step's drafts (after <see cref="Pending"/>).</summary>
    public Span<int> DraftBuffer => _drafts;

    public int DraftCount { get; set; }

    public ReadOnlySpan<int> Drafts => _drafts.AsSpan(0, DraftCount);

    public ReadOnlySpan<int> History => Run!.History.Span;

    /// <summary>Takes <paramref name="request"/> into this (empty) sequence.</summary>
    public void Start(EngineRequest request, GenerationRun run, ITokenSelector selector)
    {
        Request = request;
        Run = run;
        OwnSelector = selector;
        Selector.Inner = selector;
        FedTo = 0;
        FeedEnd = request.Prompt.Length;
        ChoosesAfterFeed = true;
        Past = 0;
        DraftCount = 0;
        BatchCount = 0;
    }

    /// <summary>After a rollback the memory refused: feed the kept history again and go on with plain decoding.</summary>
    public void Rebuild(string reason)
    {
        Run!.Fallback = reason + " Continued with plain decoding.";
        Run.Drafter = null;
        context.TruncateSequenceFrom(Id, 0);
        FedTo = 0;
        FeedEnd = Past;
        ChoosesAfterFeed = false;
    }

    /// <summary>Empties the sequence's cells and forgets the request (its selector is disposed, its planner ended by the run).</summary>
    public void Release()
    {
        try
        {
            context.TruncateSequenceFrom(Id, 0);
        }
        finally
        {
            OwnSelector?.Dispose();
            OwnSelector = null;
            Selector.Inner = null;
            Request = null;
            Run = null;
        }
    }
}

/// <summary>A selector reading the logits of one sequence's share of a batch: index i is batch index <see cref="Offset"/> + i.</summary>
internal sealed class OffsetSelector : ITokenSelector
{
    public ITokenSelector? Inner { get; set; }

    public int Offset { get; set; }

    public int Select(int batchIndex) => Inner!.Select(Offset + batchIndex);

    public void Accept(int token) => Inner!.Accept(token);

    public void Dispose()
    {
    }
}
