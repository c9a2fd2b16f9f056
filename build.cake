// LookupDecode build and bench pipeline.
//   dotnet tool restore && dotnet cake                      -> Build + Test
//   dotnet cake --target=Bench                              -> BenchmarkDotNet micro suite
// Options: --configuration=Release (default), --bench-filter='*' (BenchmarkDotNet filter).

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("bench-filter", "*");

var solution = "./LookupDecode.sln";
var artifacts = Directory("./artifacts");

// Tests read models and fixtures from ../shared when the variables are not set (see README).
void UseSharedTestData(DotNetSettings settings)
{
    settings.EnvironmentVariables ??= new Dictionary<string, string>();
    foreach (var (variable, folder) in new[] { ("LOOKUPDECODE_TEST_MODELS", "../shared/models"), ("LOOKUPDECODE_TEST_FIXTURES", "../shared/fixtures") })
    {
        var configured = EnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(configured))
        {
            settings.EnvironmentVariables[variable] = configured;
        }
        else if (DirectoryExists(folder))
        {
            settings.EnvironmentVariables[variable] = MakeAbsolute(Directory(folder)).FullPath;
        }
    }
}

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
    UseSharedTestData(settings);
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
        ArgumentCustomization = args => args.Append("--").Append("--filter").AppendQuoted(benchFilter)
            .Append("--artifacts").AppendQuoted(MakeAbsolute(artifacts + Directory("bench-micro")).FullPath),
    };
    UseSharedTestData(settings);
    DotNetRun("./bench/LookupDecode.Benchmarks/LookupDecode.Benchmarks.csproj", settings);
});

Task("Default").IsDependentOn("Test");

RunTarget(target);
