using LookupDecode.Models;
using LookupDecode.Replay;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Replay;

/// <summary>
/// The Spec-Bench traces tokenized once with llama-2-tiny-random's vocabulary (Llama's 32000 tokens, the one Vicuna uses),
/// and that model loaded with a context that holds the longest prompts.
/// </summary>
public sealed class SpecBenchTraces : IDisposable
{
    public static string Questions => TestPaths.Trace("spec-bench", "question.jsonl");

    public static string Answers => TestPaths.Trace("spec-bench", "vicuna-7b-v1.3-greedy.jsonl");

    private readonly Lazy<LlamaModel> _model = new(() => LlamaModel.Load(
        TestPaths.Model(TestModelNames.FileOf(TestModelNames.TinyRandom)), new ModelOptions { ContextSize = 8192, Threads = 2 }));

    private readonly Lazy<IReadOnlyList<ReplayTrace>> _all;

    public SpecBenchTraces()
    {
        _all = new Lazy<IReadOnlyList<ReplayTrace>>(() => TraceTokenizer.Tokenize(
            Model, ConversationTemplate.Vicuna, TraceFiles.ReadQuestions(Questions), TraceFiles.ReadAnswers(Answers), Answers));
    }

    public LlamaModel Model => _model.Value;

    /// <summary>Every turn of all 480 questions.</summary>
    public IReadOnlyList<ReplayTrace> All => _all.Value;

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.Dispose();
        }
    }
}
