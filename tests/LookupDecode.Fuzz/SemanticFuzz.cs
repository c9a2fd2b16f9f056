using System.Diagnostics;
using LookupDecode.Gguf;
using LookupDecode.Models;

namespace LookupDecode.Fuzz;

/// <summary>
/// Semantic fuzzing of the model gate with llama.cpp itself as the oracle: each mutated model is checked by the managed
/// rules; one they pass is loaded and decoded in a child process. A child killed by a signal (or hanging) after the rules
/// passed is a finding: a precondition the rules miss (the child check still protects the caller). Findings are kept.
/// Files the rules refuse are also given to llama.cpp alone, to count the crashes the rules prevent.
/// </summary>
internal static class SemanticFuzz
{
    public static int Run(string model, int iterations, int seed, string findings)
    {
        var source = GgufReader.Read(model);
        var data = new byte[source.Tensors.Count][];
        using (var input = File.OpenRead(model))
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = new byte[source.Tensors[i].ByteSize];
                input.Position = source.DataOffset + source.Tensors[i].Offset;
                input.ReadExactly(data[i]);
            }
        }

        Directory.CreateDirectory(findings);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var crashes = 0;
        var started = Stopwatch.StartNew();
        var path = Path.Combine(Path.GetTempPath(), $"lookupdecode-semantic-{Environment.ProcessId}.gguf");
        var options = new ModelOptions { CheckTimeout = TimeSpan.FromSeconds(60) };
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var mutator = new SemanticMutator(source, data, new Random(HashCode.Combine(seed, iteration)));
            mutator.Mutate().WriteTo(path);
            string outcome;
            try
            {
                ModelFileCheck.Check(path);
                var result = ModelProbe.CheckInChild(path, options);
                outcome = $"rules passed, child {result.Outcome}";
                if (result.Outcome is ModelProbeOutcome.Crashed or ModelProbeOutcome.TimedOut or ModelProbeOutcome.Failed)
                {
                    crashes++;
                    var kept = Path.Combine(findings, $"finding-{seed}-{iteration}.gguf");
                    File.Copy(path, kept, overwrite: true);
                    Console.WriteLine($"FINDING {kept}: {string.Join("; ", mutator.Applied)} -> {result.Problem}");
                }
            }
            catch (ModelLoadException)
            {
                // What the rules prevented: the same file straight to llama.cpp (in a child).
                outcome = $"refused by the rules (llama.cpp alone: {ModelProbe.CheckInChild(path, options).Outcome})";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        File.Delete(path);
        Console.WriteLine($"{iterations} executions in {started.Elapsed.TotalSeconds:F0} s (seed {seed}), {crashes} crashes or hangs after the rules passed");
        foreach (var (outcome, count) in outcomes.OrderByDescending(pair => pair.Value))
        {
            Console.WriteLine($"  {count,6}  {outcome}");
        }

        return crashes == 0 ? 0 : 1;
    }
}
