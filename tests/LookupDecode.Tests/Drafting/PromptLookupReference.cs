namespace LookupDecode.Tests.Drafting;

/// <summary>
/// Hugging Face's prompt lookup written the obvious way (rescan the whole sequence each step), as the reference
/// the indexed drafter must agree with.
/// </summary>
internal static class PromptLookupReference
{
    public static int[] Draft(int[] sequence, int maxNgram, int minNgram, int draftLength, bool earliest, Func<int, bool> isEndOfGeneration)
    {
        var length = sequence.Length;
        for (var size = Math.Min(maxNgram, length - 1); size >= minNgram; size--)
        {
            var suffix = sequence[(length - size)..];
            var starts = Enumerable.Range(0, length - size + 1)
                .Where(start => sequence.AsSpan(start, size).SequenceEqual(suffix))
                .Where(start => start + size < length);
            if (!earliest)
            {
                starts = starts.Reverse();
            }

            foreach (var start in starts)
            {
                var from = start + size;
                var chosen = sequence.Skip(from).Take(Math.Min(draftLength, length - from)).ToArray();
                var end = Array.FindIndex(chosen, token => isEndOfGeneration(token));
                return end < 0 ? chosen : chosen[..end];
            }
        }

        return [];
    }
}
