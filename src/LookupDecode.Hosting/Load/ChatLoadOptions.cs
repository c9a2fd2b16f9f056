namespace LookupDecode.Hosting.Load;

/// <summary>How a <see cref="ChatLoadTest"/> drives a chat client.</summary>
public sealed record ChatLoadOptions
{
    /// <summary>Streaming requests to send in the measured phase. Default 200.</summary>
    public int Requests { get; init; } = 200;

    /// <summary>Requests in flight at once. Default 8.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Share of requests cancelled part-way through their stream (0…1). Default 0.2.</summary>
    public double CancelFraction { get; init; } = 0.2;

    /// <summary>Requests sent first, unmeasured, so memory is compared after warm-up. Default 20.</summary>
    public int WarmUpRequests { get; init; } = 20;

    /// <summary>Options of every request.</summary>
    public Microsoft.Extensions.AI.ChatOptions? ChatOptions { get; init; }

    /// <summary>Seed of the choice of prompts and cancellations, so a run can be repeated.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The whole test stops (and fails) after this long. Default 10 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}
