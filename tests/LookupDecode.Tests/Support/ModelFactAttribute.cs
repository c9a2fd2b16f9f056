namespace LookupDecode.Tests.Support;

/// <summary>A fact that needs the test models (and fixtures); skipped with the reason when they are absent.</summary>
public sealed class ModelFactAttribute : FactAttribute
{
    public ModelFactAttribute()
    {
        Skip = TestPaths.MissingFixturesReason;
    }
}

/// <summary>A theory that needs the test models (and fixtures); skipped with the reason when they are absent.</summary>
public sealed class ModelTheoryAttribute : TheoryAttribute
{
    public ModelTheoryAttribute()
    {
        Skip = TestPaths.MissingFixturesReason;
    }
}

/// <summary>A fact that needs the test models and the recorded traces; skipped with the reason when they are absent.</summary>
public sealed class TraceFactAttribute : FactAttribute
{
    public TraceFactAttribute()
    {
        Skip = TestPaths.MissingTracesReason;
    }
}

/// <summary>A theory that needs the test models and the recorded traces; skipped with the reason when they are absent.</summary>
public sealed class TraceTheoryAttribute : TheoryAttribute
{
    public TraceTheoryAttribute()
    {
        Skip = TestPaths.MissingTracesReason;
    }
}
