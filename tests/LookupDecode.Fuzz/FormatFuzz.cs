using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using LookupDecode.Drafting.Suffix;
using LookupDecode.Hosting.Memory;
using LookupDecode.Replay;

namespace LookupDecode.Fuzz;

/// <summary>
/// Structure-aware fuzzing of the memory and trace formats, in process: each execution builds a valid input (a suffix
/// memory file, a shared generation record, a questions or answers file), mutates it where its structure is (a count or
/// length set to an edge value, a token id out of range, a string escape that is not text, bytes that are not UTF-8),
/// and reads it. Only the format's typed refusal may come out; anything else is a finding, kept in the findings folder.
/// What is accepted must hold up too: a memory survives a save and reload unchanged, a record re-encodes to its own
/// bytes with every token inside the vocabulary, trace strings are well-formed text.
/// </summary>
internal static class FormatFuzz
{
    public const string SuffixMemoryTarget = "suffix-memory";
    public const string RecordTarget = "record";
    public const string TraceTarget = "trace";

    private const int Vocabulary = 32000;

    private static readonly int[] EdgeValues = [0, 1, -1, 2, 3, 4, 7, 8, 255, 256, 65535, 65536, 1 << 18, (1 << 18) + 1, 1 << 20, int.MaxValue, int.MinValue, Vocabulary - 1, Vocabulary, 1 << 30];

    public static int Run(string target, int iterations, int seed, string findings)
    {
        Directory.CreateDirectory(findings);
        var started = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = 0;
        var scratch = Path.Combine(Path.GetTempPath(), $"lookupdecode-format-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        try
        {
            for (var iteration = 0; iteration < iterations; iteration++)
            {
                var random = new Random(HashCode.Combine(seed, iteration));
                var input = target switch
                {
                    SuffixMemoryTarget => Mutate(SuffixMemorySeed(random), random),
                    RecordTarget => Mutate(RecordSeed(random), random),
                    TraceTarget => MutateTrace(TraceSeed(random), random),
                    _ => throw new ArgumentException($"unknown target '{target}' ({SuffixMemoryTarget}, {RecordTarget}, {TraceTarget})", nameof(target)),
                };
                string outcome;
                try
                {
                    outcome = target switch
                    {
                        SuffixMemoryTarget => ReadSuffixMemory(input, scratch, iteration),
                        RecordTarget => ReadRecord(input),
                        _ => ReadTrace(input, scratch, random),
                    };
                }
                catch (Exception exception)
                {
                    failures++;
                    var kept = Path.Combine(findings, $"{target}-{seed}-{iteration}.bin");
                    File.WriteAllBytes(kept, input);
                    Console.WriteLine($"FINDING {kept}: {exception.GetType().Name}: {exception.Message}");
                    outcome = $"finding: {exception.GetType().Name}";
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        Console.WriteLine($"{target}: {iterations} executions in {started.Elapsed.TotalSeconds:F1} s (seed {seed}), {failures} findings");
        foreach (var (outcome, count) in outcomes.OrderByDescending(pair => pair.Value).Take(12))
        {
            Console.WriteLine($"  {count,8}  {outcome}");
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>Writes valid inputs of <paramref name="target"/> into <paramref name="directory"/>, as AFL++ seeds.</summary>
    public static void WriteSeeds(string target, string directory, int count = 8)
    {
        Directory.CreateDirectory(directory);
        for (var i = 0; i < count; i++)
        {
            var random = new Random(i);
            var seed = target switch
            {
                SuffixMemoryTarget => SuffixMemorySeed(random),
                RecordTarget => RecordSeed(random),
                TraceTarget => Encoding.UTF8.GetBytes(TraceSeed(random)),
                _ => throw new ArgumentException($"unknown target '{target}'", nameof(target)),
            };
            File.WriteAllBytes(Path.Combine(directory, $"{target}-{i}.bin"), seed);
        }
    }

    /// <summary>Reads a suffix memory; a typed refusal is an outcome, anything else thrown a finding.</summary>
    public static string ReadSuffixMemory(byte[] input, string scratch, int iteration)
    {
        SuffixMemoryStore store;
        try
        {
            store = SuffixMemoryStore.Load(input, "fuzz-input", capacityPerKey: 4096, maxKeys: 4);
        }
        catch (SuffixMemoryFormatException exception)
        {
            return $"refused: {Shape(exception.Message)}";
        }

        // Every 16th accepted store (saves touch the disk): saved and reloaded, it holds the same outputs under the same keys.
        if (iteration % 16 == 0)
        {
            var path = Path.Combine(scratch, "memory.bin");
            store.Save(path);
            var again = SuffixMemoryStore.Load(path, capacityPerKey: 4096, maxKeys: 4);
            if (!again.Keys.SequenceEqual(store.Keys)
                || store.Keys.Any(key => !store.Get(key).Outputs().SelectMany(output => output).SequenceEqual(again.Get(key).Outputs().SelectMany(output => output))))
            {
                throw new InvalidOperationException("a suffix memory that loaded did not survive a save and reload");
            }
        }

        return "accepted";
    }

    /// <summary>Reads a shared generation record; an accepted one must re-encode to its bytes.</summary>
    public static string ReadRecord(byte[] input)
    {
        var record = GenerationRecord.TryRead(input, Vocabulary, out var problem);
        if (record is null)
        {
            return $"refused: {Shape(problem ?? "no reason")}";
        }

        if (!record.ToBytes().AsSpan().SequenceEqual(input) || record.Tokens.Any(token => (uint)token >= Vocabulary) || record.PromptLength > record.Tokens.Length)
        {
            throw new InvalidOperationException("an accepted record does not re-encode to its bytes, or holds a token or length out of range");
        }

        return "accepted";
    }

    /// <summary>Reads a questions or answers file; accepted strings must be well-formed text.</summary>
    public static string ReadTrace(byte[] input, string scratch, Random random)
    {
        var path = Path.Combine(scratch, "trace.jsonl");
        File.WriteAllBytes(path, input);
        try
        {
            IEnumerable<string> texts = random.Next(2) == 0
                ? TraceFiles.ReadQuestions(path).SelectMany(question => question.Turns.Append(question.Category))
                : TraceFiles.ReadAnswers(path).SelectMany(answer => answer.Turns);
            foreach (var text in texts)
            {
                // Text that reaches a tokenizer must be well-formed UTF-16 (a lone surrogate aborts llama.cpp's tokenizer).
                if (!IsWellFormed(text))
                {
                    throw new InvalidOperationException("an accepted trace string holds a lone surrogate");
                }
            }
        }
        catch (TraceFormatException exception)
        {
            return $"refused: {Shape(exception.Problem)}";
        }

        return "accepted";
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The message with its numbers and quoted parts blanked, so outcomes group by kind.</summary>
    private static string Shape(string message)
    {
        var shaped = System.Text.RegularExpressions.Regex.Replace(message, "'[^']*'|\"[^\"]*\"|-?[0-9]+", "#");
        return shaped.Length > 70 ? shaped[..70] : shaped;
    }

    private static byte[] SuffixMemorySeed(Random random)
    {
        var bytes = new List<byte>("LDSM"u8.ToArray());
        void Word(uint value) => bytes.AddRange(BitConverter.GetBytes(value));
        Word(1);
        var keys = random.Next(0, 4);
        Word((uint)keys);
        for (var k = 0; k < keys; k++)
        {
            var key = Encoding.UTF8.GetBytes(k switch { 0 => "default", 1 => $"tenant-{random.Next(1000)}", _ => "clé-😀" + k });
            Word((uint)key.Length);
            bytes.AddRange(key);
            var outputs = random.Next(0, 5);
            Word((uint)outputs);
            for (var o = 0; o < outputs; o++)
            {
                var length = random.Next(0, 40);
                Word((uint)length);
                for (var t = 0; t < length; t++)
                {
                    Word((uint)random.Next(0, 600));
                }
            }
        }

        return [.. bytes];
    }

    private static byte[] RecordSeed(Random random)
    {
        var tokens = Enumerable.Range(0, random.Next(0, 64)).Select(_ => random.Next(0, Vocabulary)).ToArray();
        return new GenerationRecord(Guid.NewGuid(), random.Next(0, tokens.Length + 1), tokens).ToBytes();
    }

    /// <summary>One to four mutations of a binary input: 32-bit words set to edge values, bytes flipped, cut, inserted or repeated.</summary>
    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        for (var count = random.Next(1, 5); count > 0; count--)
        {
            switch (random.Next(6))
            {
                case 0 or 1 when bytes.Count >= 4:
                    // A field: words sit at multiples of 4 except after a key, so any offset is tried.
                    var at = random.Next(2) == 0 ? random.Next(bytes.Count / 4) * 4 : random.Next(bytes.Count - 3);
                    var value = EdgeValues[random.Next(EdgeValues.Length)];
                    var word = new byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(word, random.Next(4) == 0 ? BinaryPrimitives.ReadInt32LittleEndian([.. bytes.GetRange(at, 4)]) + random.Next(-2, 3) : value);
                    for (var i = 0; i < 4; i++)
                    {
                        bytes[at + i] = word[i];
                    }

                    break;
                case 2 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 3 when bytes.Count > 0:
                    var from = random.Next(bytes.Count);
                    bytes.RemoveRange(from, Math.Min(bytes.Count - from, random.Next(1, 9)));
                    break;
                case 4:
                    bytes.InsertRange(random.Next(bytes.Count + 1), Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        var start = random.Next(bytes.Count);
                        var length = Math.Min(bytes.Count - start, random.Next(1, 33));
                        bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(start, length));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static readonly string[] TraceTexts = ["Why?", "Résumé 😀 naïve", "a\\nb\\t\"quoted\"", "\\u00e9\\ud83d\\ude00", "</s><s>[INST]", "", " ", "\\u0000"];

    private static string TraceSeed(Random random)
    {
        var lines = new List<string>();
        var answers = random.Next(2) == 0;
        for (var id = 1; id <= random.Next(1, 5); id++)
        {
            var turns = string.Join(", ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => $"\"{TraceTexts[random.Next(TraceTexts.Length)]}\""));
            lines.Add(answers
                ? $$"""{"question_id": {{id}}, "model_id": "m", "choices": [{"index": 0, "turns": [{{turns}}], "accept_lengths": [1, 2]}]}"""
                : $$"""{"question_id": {{id}}, "category": "qa", "turns": [{{turns}}]}""");
            if (random.Next(5) == 0)
            {
                lines.Add("");
            }
        }

        return string.Join(random.Next(4) == 0 ? "\r\n" : "\n", lines) + (random.Next(2) == 0 ? "\n" : "");
    }

    private static readonly string[] TraceInsertions =
    [
        "\\ud800", "\\udfff", "\\ud83d", "\\ude00x", "\\u", "\\uZZZZ", "\\", "\"", "}", "]", "[", "{", ",", ":", "null", "1e999", "-0", "99999999999",
        "\"question_id\": 1,", "\"turns\": 3,", "\"choices\": [],", "\"accept_lengths\": [0],", new string('[', 80), "\t", "\u2028", "\uFEFF",
    ];

    /// <summary>Text-level mutations (escapes that are not text, broken JSON, wrong types), then sometimes bytes that are not UTF-8.</summary>
    private static byte[] MutateTrace(string seed, Random random)
    {
        var text = seed;
        for (var count = random.Next(1, 4); count > 0; count--)
        {
            var at = random.Next(text.Length + 1);
            text = random.Next(4) switch
            {
                0 when text.Length > 0 => text.Remove(Math.Min(at, text.Length - 1), Math.Min(random.Next(1, 6), text.Length - Math.Min(at, text.Length - 1))),
                1 => text.Replace("Why?", TraceInsertions[random.Next(TraceInsertions.Length)], StringComparison.Ordinal),
                _ => text.Insert(at, TraceInsertions[random.Next(TraceInsertions.Length)]),
            };
        }

        var bytes = new List<byte>(Encoding.UTF8.GetBytes(text));
        if (random.Next(4) == 0)
        {
            byte[][] invalid = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];
            bytes.InsertRange(random.Next(bytes.Count + 1), invalid[random.Next(invalid.Length)]);
        }

        return [.. bytes];
    }
}
