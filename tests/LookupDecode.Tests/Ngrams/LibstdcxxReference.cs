namespace LookupDecode.Tests.Ngrams;

/// <summary>Insertion sequences and the iteration order libstdc++ gave them (Data/libstdcxx-order.txt, from Data/libstdcxx-order.cpp).</summary>
internal static class LibstdcxxReference
{
    public static List<(int[] Inserted, int[] Order)> Cases()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Ngrams", "Data", "libstdcxx-order.txt"));
        var cases = new List<(int[], int[])>();
        for (var i = 0; i + 1 < lines.Length; i += 3)
        {
            cases.Add((Numbers(lines[i], "insert"), Numbers(lines[i + 1], "order")));
        }

        return cases;
    }

    private static int[] Numbers(string line, string label)
    {
        if (!line.StartsWith(label, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"expected a '{label}' line, got '{line}'");
        }

        return line[label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    }
}
