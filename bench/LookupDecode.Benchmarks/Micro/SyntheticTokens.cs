namespace LookupDecode.Benchmarks.Micro;

/// <summary>
/// A deterministic token stream shaped like text for drafting costs: Zipf-distributed tokens over a Llama-2-sized
/// vocabulary, with one stretch in five copied from earlier in the stream (the repetition lookup feeds on).
/// </summary>
internal static class SyntheticTokens
{
    public const int VocabularySize = 32000;

    public static int[] Create(int length, int seed = 1234)
    {
        var random = new Random(seed);
        var cumulative = ZipfCumulative(VocabularySize, 1.1);
        var tokens = new int[length];
        var i = 0;
        while (i < length)
        {
            if (i > 64 && random.NextDouble() < 0.2)
            {
                var span = random.Next(8, 33);
                var from = random.Next(0, i - span);
                for (var j = 0; j < span && i < length; j++)
                {
                    tokens[i++] = tokens[from + j];
                }
            }
            else
            {
                var index = Array.BinarySearch(cumulative, random.NextDouble());
                tokens[i++] = index < 0 ? ~index : index;
            }
        }

        return tokens;
    }

    private static double[] ZipfCumulative(int size, double exponent)
    {
        var weights = new double[size];
        var total = 0.0;
        for (var k = 0; k < size; k++)
        {
            total += weights[k] = 1.0 / Math.Pow(k + 1, exponent);
        }

        var running = 0.0;
        for (var k = 0; k < size; k++)
        {
            running += weights[k] / total;
            weights[k] = running;
        }

        return weights;
    }
}
