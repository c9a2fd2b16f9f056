// LookupDecode build and bench pipeline.
//   dotnet tool restore && dotnet cake                      -> Build + Test
//   dotnet cake --target=Bench                              -> BenchmarkDotNet micro suite (artifacts/bench-micro)
//   dotnet cake --target=BenchE2E [--model=M]               -> end-to-end suite + plots (artifacts/bench-e2e)
//   dotnet cake --target=CompareUpstream [--model=M]        -> the same, beside upstream llama-lookup
//   dotnet cake --target=Replay [--model=M] [--simulate] [--cost-curve=F|flat] [--variants=L] [--per-category=8] [--max-tokens=128]
//                                                           -> Spec-Bench trace replay (artifacts/replay): forced through M, or offline
//   dotnet cake --target=Pack                               -> NuGet packages (artifacts/packages)
//   dotnet cake --target=Fuzz [--fuzz-seconds=300]          -> AFL++ on the GGUF gate and the cache reader (artifacts/fuzz)
// Options: --configuration=Release, --bench-filter='*', --bench-job=short (BenchmarkDotNet job), --model=PATH (default: a synthetic llama-1b Q4_0 written
// into artifacts/models), --drafts=1,3,10,auto, --modes=lookup,prompt-lookup, --variants=greedy,auto,… (presets, instead of
// modes × drafts), --max-tokens=128, --repeat=3, --threads=N.

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("bench-filter", "*");
var benchJob = Argument("bench-job", "short");
var benchModel = Argument("model", "");
var drafts = Argument("drafts", "1,3,10");
var modes = Argument("modes", "lookup,prompt-lookup");
var maxTokens = Argument("max-tokens", "128");
var repeat = Argument("repeat", "3");
var threads = Argument("threads", System.Environment.ProcessorCount.ToString());
var fuzzSeconds = Argument("fuzz-seconds", "300");
var replayVariants = Argument("variants", "greedy,pld,llama-lookup,suffix,auto,oracle");
var perCategory = Argument("per-category", "8");
var costCurve = Argument("cost-curve", "");
var traces = Argument("traces", "tests/data/traces/spec-bench");

var solution = "./LookupDecode.sln";
var artifacts = Directory("./artifacts");

Task("Clean")
    .Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
});

Task("Restore")
    .Does(() => DotNetRestore(solution));

Task("Build")
    .IsDependentOn("Restore")
    .Does(() => DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration, NoRestore = true }));

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    var settings = new DotNetTestSettings { Configuration = configuration, NoBuild = true, NoRestore = true };
    DotNetTest(solution, settings);
});

Task("Bench")
    .IsDependentOn("Build")
    .Does(() =>
{
    var settings = new DotNetRunSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ArgumentCustomization = args => args.Append("--").Append("--filter").AppendQuoted(benchFilter).Append("--job").Append(benchJob)
            .Append("--artifacts").AppendQuoted(MakeAbsolute(artifacts + Directory("bench-micro")).FullPath),
    };
    DotNetRun("./bench/LookupDecode.Benchmarks/LookupDecode.Benchmarks.csproj", settings);
});

// The model the end-to-end targets run on: --model, else a synthetic llama-1b Q4_0 (written once, ~640 MB).
string BenchModel()
{
    if (!string.IsNullOrEmpty(benchModel))
    {
        return MakeAbsolute(File(benchModel)).FullPath;
    }

    var synthetic = MakeAbsolute(artifacts + Directory("models") + File("synth-llama-1b-q4_0.gguf")).FullPath;
    if (!FileExists(synthetic))
    {
        DotNetRun("./src/LookupDecode.Cli/LookupDecode.Cli.csproj", new DotNetRunSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            ArgumentCustomization = args => args.Append("--").Append("model").Append("synth").Append("--shape").Append("llama-1b")
                .Append("--type").Append("q4_0").Append("--out").AppendQuoted(synthetic),
        });
    }

    return synthetic;
}

void RunEndToEnd(string outputName, string upstreamBin)
{
    var model = BenchModel();
    var settings = new DotNetRunSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ArgumentCustomization = args =>
        {
            args.Append("--").Append("e2e").Append("--model").AppendQuoted(model)
                .Append("--drafts").Append(drafts).Append("--modes").Append(modes)
                .Append("--max-tokens").Append(maxTokens).Append("--repeat").Append(repeat).Append("--threads").Append(threads)
                .Append("--out").AppendQuoted(MakeAbsolute(artifacts + Directory(outputName)).FullPath);
            if (!string.IsNullOrEmpty(upstreamBin))
            {
                args.Append("--upstream-bin").AppendQuoted(upstreamBin);
            }

            if (HasArgument("variants"))
            {
                // Explicit drafting presets (greedy,auto,lookup-d3,pld,…) instead of modes × drafts.
                args.Append("--variants").Append(replayVariants);
            }

            return args;
        },
    };
    DotNetRun("./bench/LookupDecode.Benchmarks/LookupDecode.Benchmarks.csproj", settings);
}

Task("BenchE2E")
    .IsDependentOn("Build")
    .Does(() => RunEndToEnd("bench-e2e", ""));

Task("FetchUpstream")
    .Does(() =>
{
    if (FileExists("./native/upstream/bin/llama-lookup"))
    {
        return;
    }

    var exitCode = StartProcess("bash", new ProcessSettings { Arguments = "native/fetch-upstream-tools.sh" });
    if (exitCode != 0)
    {
        throw new CakeException($"native/fetch-upstream-tools.sh failed with exit code {exitCode}");
    }
});

// llama.cpp's CPU backend built for this machine beside LLamaSharp's libraries (artifacts/native/cpu-backend); every task
// then runs on it with LOOKUPDECODE_LLAMA_LIBRARY=artifacts/native/cpu-backend/libllama.so (see native/README.md).
Task("CpuBackend")
    .Does(() =>
{
    var exitCode = StartProcess("bash", new ProcessSettings { Arguments = "native/build-cpu-backend.sh" });
    if (exitCode != 0)
    {
        throw new CakeException($"native/build-cpu-backend.sh failed with exit code {exitCode}");
    }
});

Task("CompareUpstream")
    .IsDependentOn("Build")
    .IsDependentOn("FetchUpstream")
    .Does(() => RunEndToEnd("bench-e2e-upstream", MakeAbsolute(Directory("./native/upstream/bin")).FullPath));

// The replay's model: --model, else llama-2-tiny-random (Llama's vocabulary) inflated to a llama-1b Q4_0 (written once, ~640 MB).
string ReplayModel()
{
    if (!string.IsNullOrEmpty(benchModel))
    {
        return MakeAbsolute(File(benchModel)).FullPath;
    }

    var inflated = MakeAbsolute(artifacts + Directory("models") + File("llama-2-tiny-random-llama-1b-q4_0.gguf")).FullPath;
    if (!FileExists(inflated))
    {
        var source = EnvironmentVariable("LOOKUPDECODE_TEST_MODELS") is { Length: > 0 } models ? models : "tests/data/models";
        RunCli(args => args.Append("model").Append("inflate").Append("--from").AppendQuoted(MakeAbsolute(File(source + "/llama-2-tiny-random.gguf")).FullPath)
            .Append("--shape").Append("llama-1b").Append("--type").Append("q4_0").Append("--out").AppendQuoted(inflated));
    }

    return inflated;
}

void RunCli(Func<ProcessArgumentBuilder, ProcessArgumentBuilder> arguments)
{
    DotNetRun("./src/LookupDecode.Cli/LookupDecode.Cli.csproj", new DotNetRunSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ArgumentCustomization = args => arguments(args.Append("--")),
    });
}

Task("Replay")
    .IsDependentOn("Build")
    .Does(() =>
{
    var model = ReplayModel();
    var directory = MakeAbsolute(Directory(traces)).FullPath;
    RunCli(args =>
    {
        args.Append("replay").Append("--model").AppendQuoted(model).Append("--threads").Append(threads)
            .Append("--questions").AppendQuoted(directory + "/question.jsonl").Append("--answers").AppendQuoted(directory + "/vicuna-7b-v1.3-greedy.jsonl")
            .Append("--variants").Append(replayVariants).Append("--per-category").Append(perCategory).Append("--max-tokens").Append(maxTokens)
            .Append("--out").AppendQuoted(MakeAbsolute(artifacts + Directory(HasArgument("simulate") ? "replay-simulate" : "replay")).FullPath);
        if (HasArgument("simulate"))
        {
            args.Append("--simulate");
        }

        if (!string.IsNullOrEmpty(costCurve))
        {
            args.Append("--cost-curve").AppendQuoted(costCurve);
        }

        return args;
    });
});

Task("Pack")
    .IsDependentOn("Build")
    .Does(() =>
{
    foreach (var project in GetFiles("./src/**/*.csproj"))
    {
        DotNetPack(project.FullPath, new DotNetPackSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            OutputDirectory = artifacts + Directory("packages"),
        });
    }
});

Task("Fuzz")
    .Does(() =>
{
    var exitCode = StartProcess("bash", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder().Append("tests/LookupDecode.Fuzz/run-fuzz.sh").Append(fuzzSeconds)
            .AppendQuoted(MakeAbsolute(artifacts + Directory("fuzz")).FullPath),
    });
    if (exitCode != 0)
    {
        throw new CakeException($"fuzzing found crashes (see artifacts/fuzz); exit code {exitCode}");
    }
});

Task("Default").IsDependentOn("Test");

RunTarget(target);
