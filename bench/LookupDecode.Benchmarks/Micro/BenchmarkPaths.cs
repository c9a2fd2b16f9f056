namespace LookupDecode.Benchmarks.Micro;

/// <summary>Where benchmarks find models and fixtures: the same variables the tests use, then the vendored tests/data.</summary>
internal static class BenchmarkPaths
{
    public static string Models => Resolve("LOOKUPDECODE_TEST_MODELS", "models");

    public static string Fixtures => Resolve("LOOKUPDECODE_TEST_FIXTURES", "fixtures");

    private static string Resolve(string variable, string dataSubdirectory)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LookupDecode.sln")))
        {
            directory = directory.Parent;
        }

        return Path.GetFullPath(Path.Combine(directory?.FullName ?? ".", "tests", "data", dataSubdirectory));
    }
}
