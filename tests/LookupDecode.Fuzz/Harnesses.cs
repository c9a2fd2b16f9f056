using LookupDecode.Gguf;
using LookupDecode.Models;
using LookupDecode.Ngrams;
using SharpFuzz;

namespace LookupDecode.Fuzz;

/// <summary>
/// The fuzzing targets. A target may return or throw its typed format error; any other exception, a hang or a crash is
/// a finding. Inputs are copied into memory first, so the parsers see a seekable stream of exactly the input's length.
/// </summary>
internal static class Harnesses
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: gguf | cache | suffix-memory | record | trace | replay (gguf|cache) PATH | seeds [suffix-memory|record|trace] DIRECTORY"
                + " | semantic MODEL ITERATIONS SEED FINDINGS | formats (suffix-memory|record|trace) ITERATIONS SEED FINDINGS");
            return 2;
        }

        switch (args[0])
        {
            case "gguf":
                Fuzzer.OutOfProcess.Run(stream => Gguf(Buffer(stream)));
                return 0;
            case "cache":
                Fuzzer.OutOfProcess.Run(stream => Cache(Buffer(stream)));
                return 0;
            case FormatFuzz.SuffixMemoryTarget or FormatFuzz.RecordTarget or FormatFuzz.TraceTarget when args.Length == 1:
                var target = args[0];
                var scratch = Directory.CreateTempSubdirectory("lookupdecode-afl-").FullName;
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    var input = Buffer(stream).ToArray();
                    _ = target switch
                    {
                        FormatFuzz.SuffixMemoryTarget => FormatFuzz.ReadSuffixMemory(input, scratch, 0),
                        FormatFuzz.RecordTarget => FormatFuzz.ReadRecord(input),
                        _ => FormatFuzz.ReadTrace(input, scratch, new Random(input.Length)),
                    };
                });
                return 0;
            case "formats" when args.Length == 5:
                return FormatFuzz.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args[4]);
            case "replay" when args.Length == 3:
                return Replay(args[1], args[2]);
            case "semantic" when args.Length == 5:
                return SemanticFuzz.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args[4]);
            case "seeds" when args.Length == 3:
                FormatFuzz.WriteSeeds(args[1], args[2]);
                return 0;
            case "seeds" when args.Length == 2:
                Seeds.Write(args[1]);
                return 0;
            default:
                Console.Error.WriteLine($"unknown command '{string.Join(' ', args)}'");
                return 2;
        }
    }

    /// <summary>The GGUF gate: header, metadata, tensor directory, then the model-level rules.</summary>
    public static void Gguf(MemoryStream input)
    {
        try
        {
            var file = GgufReader.Read(input, "fuzz-input");
            ModelFileCheck.CheckModel(file);
        }
        catch (GgufFormatException)
        {
        }
    }

    /// <summary>The lookup-cache reader, then a save/load round trip of whatever it accepted.</summary>
    public static void Cache(MemoryStream input)
    {
        NgramCache cache;
        try
        {
            cache = NgramCache.Load(input, "fuzz-input");
        }
        catch (LookupCacheFormatException)
        {
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $"lookupdecode-fuzz-{Environment.ProcessId}.bin");
        cache.Save(path);
        if (!NgramCache.Load(path).ContentEquals(cache))
        {
            throw new InvalidOperationException("a cache that loaded did not survive a save/load round trip");
        }
    }

    private static MemoryStream Buffer(Stream stream)
    {
        var memory = new MemoryStream();
        stream.CopyTo(memory);
        memory.Position = 0;
        return memory;
    }

    private static int Replay(string target, string path)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories) : [path];
        var failures = 0;
        foreach (var file in files)
        {
            try
            {
                var input = new MemoryStream(File.ReadAllBytes(file));
                if (target == "gguf")
                {
                    Gguf(input);
                }
                else
                {
                    Cache(input);
                }
            }
            catch (Exception exception)
            {
                failures++;
                Console.Error.WriteLine($"{file}: {exception.GetType().Name}: {exception.Message}");
            }
        }

        Console.WriteLine($"{files.Length} inputs, {failures} failures");
        return failures == 0 ? 0 : 1;
    }
}
