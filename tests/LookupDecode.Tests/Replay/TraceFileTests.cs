using LookupDecode.Calibration;
using LookupDecode.Models;
using LookupDecode.Replay;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Replay;

/// <summary>Trace and cost-curve files: the formats read, and every malformation a typed error naming file and line.</summary>
public sealed class TraceFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, params string[] lines)
    {
        var path = _temp.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Questions_and_answers_are_read_with_their_turns_and_accept_lengths()
    {
        var questions = TraceFiles.ReadQuestions(Write("q.jsonl",
            """{"question_id": 7, "category": "qa", "turns": ["Why?", "How?"]}""", "", """{"question_id": 8, "turns": ["What?"]}"""));
        var answers = TraceFiles.ReadAnswers(Write("a.jsonl",
            """{"question_id": 7, "choices": [{"index": 0, "turns": ["Because.", "Like so."], "accept_lengths": [1, 3, 2]}]}"""));

        Assert.Equal([7, 8], questions.Select(question => question.Id));
        Assert.Equal("uncategorized", questions[1].Category);
        Assert.Equal(["Because.", "Like so."], answers[0].Turns);
        Assert.Equal([1, 3, 2], answers[0].AcceptLengths);
    }

    [Theory]
    [InlineData("""{"category": "qa", "turns": ["Why?"]}""", "line 1: has no question_id")]
    [InlineData("""{"question_id": "7", "turns": ["Why?"]}""", "is not an integer")]
    [InlineData("""{"question_id": 7, "turns": ["Why?"]""", "not valid JSON")]
    [InlineData("""[1, 2]""", "is not a JSON object")]
    [InlineData("""{"question_id": 7, "turns": []}""", "has no turns")]
    [InlineData("""{"question_id": 7, "turns": [3]}""", "not a string")]
    [InlineData("""{"question_id": 7}""", "has no 'turns' array")]
    public void Malformed_questions_are_a_trace_format_error_at_their_line(string line, string problem)
    {
        var path = Write("q.jsonl", line);

        var exception = Assert.Throws<TraceFormatException>(() => TraceFiles.ReadQuestions(path));

        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"question_id": 7, "turns": ["a \ud800 b"]}""", "\"a \\ud800 b\", which is not text")]
    [InlineData("""{"question_id": 7, "turns": ["\udfff"]}""", "lone surrogate")]
    [InlineData("""{"question_id": 7, "category": "\ud800", "turns": ["a"]}""", "which is not text")]
    [InlineData("""{"question_id": 7, "turn\ude00s": ["a"], "turns": ["b"]}""", "a property name is not text")]
    [InlineData("""{"question_id": 7, "turns": ["a"], "model_id": "\udc00"}""", "a string holds")]
    public void A_lone_surrogate_escape_is_refused_at_its_line_not_an_abort(string line, string problem)
    {
        var path = Write("q.jsonl", """{"question_id": 1, "turns": ["fine \ud83d\ude00"]}""", line);

        var exception = Assert.Throws<TraceFormatException>(() => TraceFiles.ReadQuestions(path));

        Assert.Equal(2, exception.Line);
        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public void Invalid_utf8_is_refused_with_file_and_line_not_replaced(byte[] bad)
    {
        var path = _temp.File("q.jsonl");
        var good = System.Text.Encoding.UTF8.GetBytes("\uFEFF{\"question_id\": 1, \"turns\": [\"caf\u00e9\"]}\r\n\n");
        byte[] third = [.. System.Text.Encoding.UTF8.GetBytes("{\"question_id\": 2, \"turns\": [\"a"), .. bad, .. System.Text.Encoding.UTF8.GetBytes("\"]}\n")];
        File.WriteAllBytes(path, [.. good, .. third]);

        var exception = Assert.Throws<TraceFormatException>(() => TraceFiles.ReadQuestions(path));

        Assert.Equal(3, exception.Line);
        Assert.Contains("is not UTF-8", exception.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 32 of the line", exception.Message, StringComparison.Ordinal);
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_are_numbered_across_read_buffers_and_a_last_line_without_newline_is_read()
    {
        var lines = Enumerable.Range(1, 5000).Select(id => $$"""{"question_id": {{id}}, "turns": ["{{new string('x', id % 97)}} é"]}""");
        var path = _temp.File("many.jsonl");
        File.WriteAllText(path, string.Join("\n", lines));

        var questions = TraceFiles.ReadQuestions(path);

        Assert.Equal(Enumerable.Range(1, 5000), questions.Select(question => question.Id));
        Assert.Equal(new string('x', 5000 % 97) + " é", questions[^1].Turns[0]);
    }

    [Fact]
    public void A_repeated_question_id_is_refused_at_its_second_line()
    {
        var path = Write("q.jsonl", """{"question_id": 7, "turns": ["a"]}""", """{"question_id": 7, "turns": ["b"]}""");

        var exception = Assert.Throws<TraceFormatException>(() => TraceFiles.ReadQuestions(path));

        Assert.Equal(2, exception.Line);
    }

    [Theory]
    [InlineData("""{"question_id": 7, "turns": ["a"]}""", "no choices[0]")]
    [InlineData("""{"question_id": 7, "choices": [{"turns": ["a"], "accept_lengths": [0]}]}""", "not a positive integer")]
    [InlineData("""{"question_id": 7, "choices": []}""", "no choices[0]")]
    public void Malformed_answers_are_a_trace_format_error(string line, string problem)
    {
        var exception = Assert.Throws<TraceFormatException>(() => TraceFiles.ReadAnswers(Write("a.jsonl", line)));

        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_empty_files_are_trace_format_errors()
    {
        Assert.Contains("does not exist", Assert.Throws<TraceFormatException>(() => TraceFiles.ReadQuestions(_temp.File("none.jsonl"))).Message, StringComparison.Ordinal);
        Assert.Contains("is empty", Assert.Throws<TraceFormatException>(() => TraceFiles.ReadAnswers(Write("empty.jsonl"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_build_each_turn_with_the_earlier_answers()
    {
        string[] questions = ["Q1", "Q2"];
        string[] answers = ["A1"];

        Assert.Equal("[INST] Q1 [/INST] A1 </s><s>[INST] Q2 [/INST]", ConversationTemplate.Llama2.Prompt(questions, answers));
        Assert.Equal("[INST] Q1 [/INST]", ConversationTemplate.Llama2.Prompt(["Q1"], []));
        Assert.EndsWith(" USER: Q1 ASSISTANT: A1</s>USER: Q2 ASSISTANT:", ConversationTemplate.Vicuna.Prompt(questions, answers), StringComparison.Ordinal);
        Assert.StartsWith("A chat between a curious user and an artificial intelligence assistant.", ConversationTemplate.Vicuna.Prompt(["Q1"], []), StringComparison.Ordinal);

        // Plain completions: the texts joined as they were written, and the answer follows its prompt with nothing between.
        Assert.Equal("Once upon a time, there was. Then", ConversationTemplate.Raw.Prompt(["Once upon a time", ". Then"], [", there was"]));
        Assert.Equal(string.Empty, ConversationTemplate.Raw.AnswerSeparator);
        Assert.Equal(" ", ConversationTemplate.Vicuna.AnswerSeparator);
        Assert.Same(ConversationTemplate.Raw, ConversationTemplate.Parse("raw"));
    }

    [Fact]
    public void An_unknown_template_is_an_invalid_option_listing_the_known_ones()
    {
        var exception = Assert.Throws<InvalidOptionException>(() => ConversationTemplate.Parse("chatml"));

        Assert.Contains("vicuna, llama-2, raw", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cost_curve_file_gives_relative_costs_by_batch_size()
    {
        var model = CostCurveFile.Load(Write("curve.json", """{ "points": [[1, 2.0], [2, 3.8], [4, 5.0]] }"""));

        Assert.Equal(1.9, model.RelativeCost(2, 0), 9);
        Assert.Equal(2.5, model.RelativeCost(4, 0), 9);
        Assert.Equal(1.0, CostCurveFile.Load("flat").RelativeCost(32, 100));
    }

    [Theory]
    [InlineData("""{ "points": [[2, 1.9]] }""", "no point for a batch of 1")]
    [InlineData("""{ "points": [[1, 1], [0, 1]] }""", "outside")]
    [InlineData("""{ "points": [[1, 1], [2, -3]] }""", "not a positive number")]
    [InlineData("""{ "points": [[1, 1], [2]] }""", "is not [batch size, relative cost]")]
    [InlineData("""{ "points": [[1, 1], [1, 2]] }""", "appears twice")]
    [InlineData("""{ "Points": null }""", "holds no measured points")]
    [InlineData("""{ "Points": [null] }""", "holds no measured points")]
    [InlineData("""{ "curve": [] }""", "has neither")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""{ "points": [["1", 1]] }""", "is not [batch size, relative cost]")]
    [InlineData("""{ "points": [[1, 1], [2, 1e400]] }""", "is not a positive number")]
    [InlineData("""{ "points": [ { "batch_size": "4", "depth": 0, "milliseconds": 1 } ] }""", "is not { batch_size, depth, milliseconds }")]
    public void A_malformed_cost_curve_is_a_typed_error(string content, string problem)
    {
        var exception = Assert.Throws<CostCurveFormatException>(() => CostCurveFile.Load(Write("curve.json", content)));

        Assert.Contains(problem, exception.Message, StringComparison.Ordinal);
    }
}

/// <summary>Turning recorded text into token streams: answers without questions and unencodable text are typed errors.</summary>
[Collection(SharedModelsCollection.Name)]
public sealed class TraceTokenizerTests(SharedModels models) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [ModelFact]
    public void An_answer_to_a_question_not_in_the_file_is_refused()
    {
        TraceQuestion[] questions = [new(1, "qa", ["Why?"])];
        TraceAnswer[] answers = [new(2, ["Because."], [])];

        var exception = Assert.Throws<TraceFormatException>(() => TraceTokenizer.Tokenize(
            models.Get(TestModelNames.TinyRandom), ConversationTemplate.Vicuna, questions, answers, "answers.jsonl"));

        Assert.Contains("question 2", exception.Message, StringComparison.Ordinal);
    }

    [ModelFact]
    public void An_answer_with_more_turns_than_its_question_is_refused()
    {
        TraceQuestion[] questions = [new(1, "qa", ["Why?"])];
        TraceAnswer[] answers = [new(1, ["Because.", "Extra."], [])];

        Assert.Throws<TraceFormatException>(() => TraceTokenizer.Tokenize(
            models.Get(TestModelNames.TinyRandom), ConversationTemplate.Vicuna, questions, answers, "answers.jsonl"));
    }

    [ModelFact]
    public void A_vocabulary_that_cannot_encode_the_trace_is_an_unsupported_text_error()
    {
        TraceQuestion[] questions = [new(1, "qa", ["Once upon a time"])];
        TraceAnswer[] answers = [new(1, ["there was a cat {with braces}"], [])];

        Assert.Throws<LookupDecode.Text.UnsupportedTextException>(() => TraceTokenizer.Tokenize(
            models.Get(TestModelNames.TinyStories656K), ConversationTemplate.Llama2, questions, answers, "answers.jsonl"));
    }

    [ModelFact]
    public void A_turn_two_prompt_holds_the_first_answer_and_the_answer_tokens_decode_back_to_the_text()
    {
        var model = models.Get(TestModelNames.TinyRandom);
        TraceQuestion[] questions = [new(1, "writing", ["Write a line.", "Again."])];
        TraceAnswer[] answers = [new(1, ["A line.", "Another line."], [])];

        var traces = TraceTokenizer.Tokenize(model, ConversationTemplate.Vicuna, questions, answers, "answers.jsonl");

        Assert.Equal(2, traces.Count);
        Assert.Equal("Another line.", model.Detokenize(traces[1].Answer).Trim());
        var prompt = model.Detokenize(traces[1].Prompt);
        Assert.Contains("ASSISTANT: A line.</s>", prompt, StringComparison.Ordinal);
        Assert.EndsWith("USER: Again. ASSISTANT:", prompt, StringComparison.Ordinal);
        Assert.Contains(traces[1].Prompt, model.IsEndOfGeneration);
        Assert.Equal(model.Tokenize("x")[0], traces[1].Prompt[0]);
    }
}
