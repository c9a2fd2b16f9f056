using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Server;

/// <summary>
/// One server process per test class on stories260K: API key <see cref="ApiKey"/>, one session and no waiting line
/// (so a second concurrent request is refused with 429), raw chat prompts, a 2048-token context.
/// </summary>
public sealed class ServerFixture() : ServerFixtureBase(TestModelNames.Stories260K)
{
    public const string ModelId = "stories260K";
}

/// <summary>The same server on TinyStories-656K, whose vocabulary cannot encode every character.</summary>
public sealed class TinyStoriesServerFixture() : ServerFixtureBase(TestModelNames.TinyStories656K);

/// <summary>stories260K with two sessions and a waiting line, for the soak.</summary>
public sealed class SoakServerFixture() : ServerFixtureBase(TestModelNames.Stories260K, ["--parallel", "2", "--LookupDecode:MaxQueuedRequests", "32"]);

/// <summary>One server process per test class on <paramref name="model"/>.</summary>
public abstract class ServerFixtureBase(string model, string[]? arguments = null) : IAsyncLifetime
{
    public const string ApiKey = "test-key";

    private ServerProcess? _server;

    internal ServerProcess Server => _server ?? throw new InvalidOperationException(TestPaths.MissingModelsReason);

    public Uri Address => Server.Address;

    public Uri ApiBase => new(Server.Address, "/v1/");

    public async Task InitializeAsync()
    {
        if (TestPaths.MissingModelsReason is null)
        {
            _server = await ServerProcess.StartAsync(TestPaths.Model(TestModelNames.FileOf(model)),
            [
                "--api-key", ApiKey, "--parallel", "1", "--LookupDecode:MaxQueuedRequests", "0", "--ctx", "2048",
                "--LookupDecode:ChatTemplate", "raw", "--LookupDecode:DefaultMaxOutputTokens", "64", .. arguments ?? [],
            ]);
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
