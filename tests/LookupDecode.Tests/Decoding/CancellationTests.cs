using LookupDecode.Decoding;
using LookupDecode.Tests.Support;

namespace LookupDecode.Tests.Decoding;

[Collection(SharedModelsCollection.Name)]
public sealed class CancellationTests(SharedModels models)
{
    [ModelFact]
    public void Cancellation_stops_within_one_step_keeps_the_partial_result_and_leaves_the_session_reusable()
    {
        var model = models.Get(TestModelNames.Stories260K);
        using var session = model.CreateSession();
        var options = new GenerationOptions { MaxTokens = 64 };
        var expected = session.Generate("Once upon a time", options);
        using var cancellation = new CancellationTokenSource();

        var error = Assert.Throws<GenerationCanceledException>(() => session.Generate("Once upon a time", options, token =>
        {
            if (token.Index == 9)
            {
                cancellation.Cancel();
            }
        }, cancellation.Token));

        Assert.Equal(StopReason.Cancelled, error.PartialResult.StopReason);
        Assert.Equal(expected.Tokens.Take(10), error.PartialResult.Tokens);
        var again = session.Generate("Once upon a time", options);
        Assert.Equal(expected.Tokens, again.Tokens);
    }

    [ModelFact]
    public void Already_cancelled_token_generates_nothing()
    {
        var model = models.Get(TestModelNames.Stories260K);
        using var session = model.CreateSession();

        var error = Assert.Throws<GenerationCanceledException>(
            () => session.Generate("Once upon a time", cancellationToken: new CancellationToken(canceled: true)));

        Assert.Empty(error.PartialResult.Tokens);
    }
}
