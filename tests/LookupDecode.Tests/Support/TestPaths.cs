namespace LookupDecode.Tests.Support;

/// <summary>
/// Where tests find team material: <c>LOOKUPDECODE_TEST_MODELS</c> (model directory) and
/// <c>LOOKUPDECODE_TEST_FIXTURES</c> (fixture directory). When unset, the conventional <c>../shared</c> beside
/// the repository is used if it exists. Tests needing either are skipped, with the reason, only when neither exists.
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
        ? $"no traces: set {TracesVariable} to the trace directory (e.g. ../shared/traces)"
        : null);

    public static string Trace(params string[] parts) => Path.Combine(
        [TracesDirectory ?? throw new InvalidOperationException(MissingTracesReason), .. parts]);

    public static string? MissingModelsReason => ModelsDirectory is null
        ? $"no test models: set {ModelsVariable} to a directory of GGUF models (e.g. ../shared/models)"
        : null;

    public static string? MissingFixturesReason => MissingModelsReason ?? (FixturesDirectory is null
        ? $"no fixtures: set {FixturesVariable} to the fixture directory (e.g. ../shared/fixtures)"
        : null);

    public static string Model(string fileName) => Path.Combine(
        ModelsDirectory ?? throw new InvalidOperationException(MissingModelsReason), fileName);

    public static string Fixture(params string[] parts) => Path.Combine(
        [FixturesDirectory ?? throw new InvalidOperationException(MissingFixturesReason), .. parts]);

    public static string Prompt(string name) => Fixture("prompts", name + ".txt");

    private static string? Resolve(string variable, string sharedSubdirectory)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var conventional = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", sharedSubdirectory));
        return Directory.Exists(conventional) ? conventional : null;
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
