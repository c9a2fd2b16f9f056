namespace LookupDecode.Tests.Support;

/// <summary>
/// Where tests find their data: the vendored <c>tests/data/{models,fixtures,traces}</c> (see tests/data/README.md),
/// unless <c>LOOKUPDECODE_TEST_MODELS</c>, <c>LOOKUPDECODE_TEST_FIXTURES</c> or <c>LOOKUPDECODE_TEST_TRACES</c> name
/// another directory. Tests needing one are skipped, with the reason, only when an override names a missing directory.
/// </summary>
internal static class TestPaths
{
    public const string ModelsVariable = "LOOKUPDECODE_TEST_MODELS";
    public const string FixturesVariable = "LOOKUPDECODE_TEST_FIXTURES";
    public const string TracesVariable = "LOOKUPDECODE_TEST_TRACES";

    public static readonly string RepositoryRoot = FindRepositoryRoot();

    public static readonly string? ModelsDirectory = Resolve(ModelsVariable, "models");

    public static readonly string? FixturesDirectory = Resolve(FixturesVariable, "fixtures");

    public static readonly string? TracesDirectory = Resolve(TracesVariable, "traces");

    public static string? MissingTracesReason => MissingModelsReason ?? (TracesDirectory is null
        ? $"no traces: set {TracesVariable} to the trace directory (e.g. tests/data/traces)"
        : null);

    public static string Trace(params string[] parts) => Path.Combine(
        [TracesDirectory ?? throw new InvalidOperationException(MissingTracesReason), .. parts]);

    public static string? MissingModelsReason => ModelsDirectory is null
        ? $"no test models: set {ModelsVariable} to a directory of GGUF models (e.g. tests/data/models)"
        : null;

    public static string? MissingFixturesReason => MissingModelsReason ?? (FixturesDirectory is null
        ? $"no fixtures: set {FixturesVariable} to the fixture directory (e.g. tests/data/fixtures)"
        : null);

    public static string Model(string fileName) => Path.Combine(
        ModelsDirectory ?? throw new InvalidOperationException(MissingModelsReason), fileName);

    public static string Fixture(params string[] parts) => Path.Combine(
        [FixturesDirectory ?? throw new InvalidOperationException(MissingFixturesReason), .. parts]);

    public static string Prompt(string name) => Fixture("prompts", name + ".txt");

    private static string? Resolve(string variable, string dataSubdirectory)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var vendored = Path.GetFullPath(Path.Combine(RepositoryRoot, "tests", "data", dataSubdirectory));
        return Directory.Exists(vendored) ? vendored : null;
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LookupDecode.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}
