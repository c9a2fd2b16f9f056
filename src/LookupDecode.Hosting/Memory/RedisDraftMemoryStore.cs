using System.Collections.Concurrent;
using LookupDecode.Ngrams;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LookupDecode.Hosting.Memory;

/// <summary>
/// Memory shared by replicas through a Redis-protocol server (Redis, Garnet, Valkey): each replica keeps its own
/// in-process memories (<see cref="InProcessDraftMemoryStore"/>) and shares every finished generation as a record in a
/// per-key log on the server. Before a request, a replica reads the records other replicas added to the request's keys
/// since it last looked, and teaches them to its memories exactly as a local generation would (the n-grams of prompt and
/// output merged into the dynamic cache, the output added to the suffix memory).
/// </summary>
/// <remarks>
/// Layout per log (<c>{prefix}:{model}:ngram:{key}</c> or <c>…:suffix:{key}</c>): a counter <c>…:seq</c> and one
/// value per record <c>…:r:{n}</c> (expiring after <see cref="LookupDecodeOptions.SharedMemoryRecordTtl"/>; the one
/// <see cref="LookupDecodeOptions.SharedMemoryRecordsPerKey"/> back is deleted on each append). No consistency is needed:
/// records only change what is drafted, never what is emitted, so a lagging, unreachable or wiped server costs speed
/// only. Server failures are logged and skipped; a malformed record is ignored.
/// </remarks>
public sealed partial class RedisDraftMemoryStore : IDraftMemoryStore, IDisposable
{
    private readonly InProcessDraftMemoryStore _local;
    private readonly ModelHost _host;
    private readonly LookupDecodeOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private readonly ConcurrentDictionary<string, LogCursor> _cursors = new(StringComparer.Ordinal);
    private readonly Guid _origin = Guid.NewGuid();

    // After a failure the server is left alone for a while: an outage must not add a timeout to every request.
    private static readonly TimeSpan BackOff = TimeSpan.FromSeconds(5);
    private long _unavailableUntil;

    /// <summary>Created by DI when <see cref="LookupDecodeOptions.SharedMemoryRedis"/> is set.</summary>
    public RedisDraftMemoryStore(ModelHost host, Microsoft.Extensions.Options.IOptions<LookupDecodeOptions> options, ILogger<RedisDraftMemoryStore> logger)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _host = host;
        _local = new InProcessDraftMemoryStore(host);
        _options = options.Value;
        _logger = logger;
        var configuration = ConfigurationOptions.Parse(_options.SharedMemoryRedis ?? throw new ArgumentException("SharedMemoryRedis is not set.", nameof(options)));
        configuration.AbortOnConnectFail = false; // a server down at start costs speed, not the start
        configuration.ConnectTimeout = 2000;
        configuration.SyncTimeout = 2000;
        configuration.AsyncTimeout = 2000;
        _connection = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(configuration));
    }

    /// <summary>Records taught to this replica's memories from other replicas so far.</summary>
    public long RecordsLearned => Interlocked.Read(ref _learned);

    private long _learned;

    /// <inheritdoc />
    public async Task<DraftMemories> AcquireAsync(string? cacheKey, string? memoryKey, CancellationToken cancellationToken)
    {
        var memories = await _local.AcquireAsync(cacheKey, memoryKey, cancellationToken).ConfigureAwait(false);
        try
        {
            if (cacheKey is not null && memories.DynamicCache is { } cache)
            {
                await PullAsync(LogName("ngram", cacheKey), record => Merge(cache, record), cancellationToken).ConfigureAwait(false);
            }

            if (memoryKey is not null && memories.SuffixMemory is { } memory)
            {
                await PullAsync(LogName("suffix", memoryKey), record => memory.Add(record.Output), cancellationToken).ConfigureAwait(false);
            }

            return memories;
        }
        catch
        {
            memories.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task RecordAsync(string? cacheKey, string? memoryKey, ReadOnlyMemory<int> prompt, IReadOnlyList<int> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        if ((cacheKey is null && memoryKey is null) || output.Count == 0 || prompt.Length + output.Count > GenerationRecord.MaxTokens)
        {
            return;
        }

        var tokens = new int[prompt.Length + output.Count];
        prompt.Span.CopyTo(tokens);
        for (var i = 0; i < output.Count; i++)
        {
            tokens[prompt.Length + i] = output[i];
        }

        var bytes = new GenerationRecord(_origin, prompt.Length, tokens).ToBytes();
        if (cacheKey is not null)
        {
            await AppendAsync(LogName("ngram", cacheKey), bytes).ConfigureAwait(false);
        }

        if (memoryKey is not null)
        {
            await AppendAsync(LogName("suffix", memoryKey), bytes).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            _connection.Value.Result.Dispose();
        }
    }

    private static void Merge(NgramCache cache, GenerationRecord record)
    {
        // What NgramCacheDrafter's context cache holds at the end of that generation, merged as its End would.
        var context = new NgramCache();
        context.Update(record.Tokens, record.Tokens.Length);
        cache.Merge(context);
    }

    private string LogName(string kind, string key) => $"{_options.SharedMemoryKeyPrefix}:{Path.GetFileNameWithoutExtension(_options.ModelPath)}:{kind}:{key}";

    private bool Resting => Environment.TickCount64 < Interlocked.Read(ref _unavailableUntil);

    private void Failed(string operation, string log, Exception exception)
    {
        Interlocked.Exchange(ref _unavailableUntil, Environment.TickCount64 + (long)BackOff.TotalMilliseconds);
        LogUnavailable(_logger, operation, log, exception.Message, BackOff.TotalSeconds);
    }

    private async Task AppendAsync(string log, byte[] record)
    {
        if (Resting)
        {
            return;
        }

        try
        {
            var database = (await _connection.Value.ConfigureAwait(false)).GetDatabase();
            var sequence = await database.StringIncrementAsync(log + ":seq").ConfigureAwait(false);
            await database.StringSetAsync($"{log}:r:{sequence}", record, _options.SharedMemoryRecordTtl).ConfigureAwait(false);
            var dropped = sequence - _options.SharedMemoryRecordsPerKey;
            if (dropped > 0)
            {
                _ = database.KeyDeleteAsync($"{log}:r:{dropped}", CommandFlags.FireAndForget);
            }

            // Our own record is already in our memories: step over it when it is next in line.
            var cursor = _cursors.GetOrAdd(log, _ => new LogCursor());
            await cursor.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (cursor.Position == sequence - 1)
                {
                    cursor.Position = sequence;
                }
            }
            finally
            {
                cursor.Gate.Release();
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed("record", log, exception);
        }
    }

    private async Task PullAsync(string log, Action<GenerationRecord> learn, CancellationToken cancellationToken)
    {
        if (Resting)
        {
            return;
        }

        var cursor = _cursors.GetOrAdd(log, _ => new LogCursor());
        await cursor.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var database = (await _connection.Value.ConfigureAwait(false)).GetDatabase();
            var latest = (long?)await database.StringGetAsync(log + ":seq").ConfigureAwait(false) ?? 0;
            if (latest < cursor.Position)
            {
                cursor.Position = 0; // the server was wiped: start over
            }

            var first = Math.Max(cursor.Position + 1, latest - _options.SharedMemoryRecordsPerKey + 1);
            if (first > latest)
            {
                return;
            }

            var keys = new RedisKey[latest - first + 1];
            for (var n = first; n <= latest; n++)
            {
                keys[n - first] = $"{log}:r:{n}";
            }

            var values = await database.StringGetAsync(keys).ConfigureAwait(false);
            var vocabulary = _host.Model.Info.VocabularySize;
            foreach (var value in values)
            {
                if (value.IsNull)
                {
                    continue; // expired or trimmed
                }

                var record = GenerationRecord.TryRead((byte[])value!, vocabulary, out var problem);
                if (record is null)
                {
                    LogMalformed(_logger, log, problem!);
                }
                else if (record.Origin != _origin)
                {
                    learn(record);
                    Interlocked.Increment(ref _learned);
                }
            }

            cursor.Position = latest;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed("read", log, exception);
        }
        finally
        {
            cursor.Gate.Release();
        }
    }

    private sealed class LogCursor
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Position { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared draft memory unavailable ({Operation} {Log}): {Problem}; drafting goes on from local memory, next try in {Seconds} s")]
    private static partial void LogUnavailable(ILogger logger, string operation, string log, string problem, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed shared memory record in {Log}: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string log, string problem);
}
