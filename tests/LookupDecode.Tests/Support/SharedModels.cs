using System.Collections.Concurrent;
using LookupDecode.Models;

namespace LookupDecode.Tests.Support;

/// <summary>
/// Loads each shared test model once for the whole test run (they are small, but loading per test would
/// dominate the suite's time). Sessions are cheap and created per test.
/// </summary>
public sealed class SharedModels : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<LlamaModel>> _models = new(StringComparer.Ordinal);

    /// <summary>Context size of every shared model's sessions: upstream's fixtures ran with -c 2048; 656K is kept at its trained 512.</summary>
    public static ModelOptions OptionsFor(string model) => new()
    {
        ContextSize = model == TestModelNames.TinyStories656K ? 512 : 2048,
        Threads = 2,
    };

    public LlamaModel Get(string model)
        => _models.GetOrAdd(model, name => new Lazy<LlamaModel>(
            () => LlamaModel.Load(TestPaths.Model(TestModelNames.FileOf(name)), OptionsFor(name)))).Value;

    public void Dispose()
    {
        foreach (var model in _models.Values)
        {
            if (model.IsValueCreated)
            {
                model.Value.Dispose();
            }
        }
    }
}

/// <summary>Test classes in this collection share <see cref="SharedModels"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedModelsCollection : ICollectionFixture<SharedModels>
{
    public const string Name = "shared models";
}
