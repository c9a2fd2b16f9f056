namespace LookupDecode.Drafting;

/// <summary>What one verification step did, as seen by one drafter (<see cref="IDraftSource.Verified"/>).</summary>
public readonly ref struct DraftOutcome
{
    /// <summary>Creates an outcome.</summary>
    public DraftOutcome(ReadOnlySpan<int> proposed, ReadOnlySpan<int> verified, int accepted, ReadOnlySpan<int> emitted)
    {
        Proposed = proposed;
        Verified = verified;
        Accepted = accepted;
        Emitted = emitted;
    }

    /// <summary>What this drafter proposed for the step (empty when it was not asked or had nothing).</summary>
    public ReadOnlySpan<int> Proposed { get; }

    /// <summary>The drafts the step verified (empty for a plain step).</summary>
    public ReadOnlySpan<int> Verified { get; }

    /// <summary>How many of <see cref="Verified"/> were accepted.</summary>
    public int Accepted { get; }

    /// <summary>The tokens the step emitted: the accepted drafts, then (unless generation stopped on one) the model's own token.</summary>
    public ReadOnlySpan<int> Emitted { get; }

    /// <summary>How many of <see cref="Proposed"/> the emitted tokens confirm: its acceptance, had it been verified whole.</summary>
    public int ProposedConfirmed
    {
        get
        {
            var confirmed = 0;
            while (confirmed < Proposed.Length && confirmed < Emitted.Length && Proposed[confirmed] == Emitted[confirmed])
            {
                confirmed++;
            }

            return confirmed;
        }
    }
}
