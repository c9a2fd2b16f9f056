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
/// value per record <c>…:r:{n}</c>; both expire after <see cref="LookupDecodeOptions.SharedMemoryRecordTtl"/> (the
/// counter's expiry is renewed on each append) and the record <see cref="LookupDecodeOptions.SharedMemoryRecordsPerKey"/>
/// back is deleted on each append. No consistency is needed: records only change what is drafted, never what is emitted,
/// so a lagging, unreachable or wiped server costs speed only. Server failures are logged and skipped; anything malformed
/// is absent: a record that does not parse is ignored, a counter that is not a record number reads as an empty log (and
/// the next append starts it over), and one read takes at most 4 MiB of records, newest first.
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

    /// <summary>Largest record number a replica writes; a counter beyond it was not written by one.</summary>
    private const long MaxSequence = 1L << 52;

    /// <summary>Most record bytes one request reads from one log (newest first): what a pull may cost, whatever is stored.</summary>
    private const long MaxBytesPerRead = 4L << 20;

    /// <summary>Most logs whose read position is remembered.</summary>
    private const int MaxCursors = 65_536;

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
            var sequence = await NextSequenceAsync(database, log).ConfigureAwait(false);
            await database.StringSetAsync($"{log}:r:{sequence}", record, _options.SharedMemoryRecordTtl).ConfigureAwait(false);
            var dropped = sequence - _options.SharedMemoryRecordsPerKey;
            if (dropped > 0)
            {
                _ = database.KeyDeleteAsync($"{log}:r:{dropped}", CommandFlags.FireAndForget);
            }

            // Our own record is already in our memories: step over it when it is next in line.
            var cursor = CursorOf(log);
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
        catch (RedisServerException exception)
        {
            LogMalformed(_logger, log, exception.Message); // this key's state, not the server: no back-off
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Failed("record", log, exception);
        }
    }

    /// <summary>
    /// The next record number of <paramref name="log"/>, its counter's expiry renewed. A counter that is not an integer,
    /// of another type, negative or implausibly large (written by anything but a replica) starts the log over at 1.
    /// </summary>
    private async Task<long> NextSequenceAsync(IDatabase database, string log)
    {
        var counter = (RedisKey)(log + ":seq");
        long sequence;
        try
        {
            sequence = await database.StringIncrementAsync(counter).ConfigureAwait(false);
        }
        catch (RedisServerException exception)
        {
            LogMalformed(_logger, log, $"sequence counter refused ({exception.Message})");
            sequence = -1;
        }

        if (sequence is < 1 or > MaxSequence)
        {
            await database.KeyDeleteAsync(counter).ConfigureAwait(false);
            await database.StringSetAsync(counter, 1, _options.SharedMemoryRecordTtl).ConfigureAwait(false);
            return 1;
        }

        _ = database.KeyExpireAsync(counter, _options.SharedMemoryRecordTtl, CommandFlags.FireAndForget);
        return sequence;
    }

    private async Task PullAsync(string log, Action<GenerationRecord> learn, CancellationToken cancellationToken)
    {
        if (Resting)
        {
            return;
        }

        var cursor = CursorOf(log);
        await cursor.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var database = (await _connection.Value.ConfigureAwait(false)).GetDatabase();
            if (!TryReadSequence(await database.StringGetAsync(log + ":seq").ConfigureAwait(false), out var latest))
            {
                LogMalformed(_logger, log, "the sequence counter is not a record number; the log is read as empty");
                return;
            }

            if (latest < cursor.Position)
            {
                cursor.Position = 0; // the server was wiped: start over
            }

            var first = Math.Max(cursor.Position + 1, latest - _options.SharedMemoryRecordsPerKey + 1);
            if (first > latest)
            {
                return;
            }

            foreach (var value in await ReadNewestWithinBudgetAsync(database, log, first, latest).ConfigureAwait(false))
            {
                var record = GenerationRecord.TryRead(value, _host.Model.Info.VocabularySize, out var problem);
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
        catch (RedisServerException exception)
        {
            LogMalformed(_logger, log, exception.Message); // a key of another type: this key's state, not the server
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

    /// <summary>
    /// Records <paramref name="first"/>..<paramref name="last"/>, oldest first, of those that fit
    /// <see cref="MaxBytesPerRead"/> taken newest first: lengths are asked first, and no value is read past the length
    /// it had then, so neither one huge record nor many large ones cost more than the budget in time or memory.
    /// </summary>
    private static async Task<List<byte[]>> ReadNewestWithinBudgetAsync(IDatabase database, string log, long first, long last)
    {
        var keys = new RedisKey[last - first + 1];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = $"{log}:r:{first + i}";
        }

        var lengths = keys.Select(key => LengthOrZeroAsync(database, key)).ToArray();
        await Task.WhenAll(lengths).ConfigureAwait(false);
        var chosen = new List<(RedisKey Key, long Length)>();
        var budget = MaxBytesPerRead;
        for (var i = keys.Length - 1; i >= 0; i--)
        {
            var length = lengths[i].Result;
            if (length is > 0 and <= GenerationRecord.MaxBytes && length <= budget)
            {
                chosen.Add((keys[i], length));
                budget -= length;
            }
        }

        chosen.Reverse();
        var values = chosen.Select(entry => database.StringGetRangeAsync(entry.Key, 0, entry.Length - 1)).ToArray();
        await Task.WhenAll(values).ConfigureAwait(false);
        return [.. values.Select(value => value.Result).Where(value => !value.IsNullOrEmpty).Select(value => (byte[])value!)];
    }

    private static async Task<long> LengthOrZeroAsync(IDatabase database, RedisKey key)
    {
        try
        {
            return await database.StringLengthAsync(key).ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            return 0; // not a string: not a record
        }
    }

    /// <summary>A counter as a replica writes it: absent (0) or an integer in 0..<see cref="MaxSequence"/>.</summary>
    private static bool TryReadSequence(RedisValue value, out long sequence)
    {
        sequence = 0;
        return value.IsNull || (value.TryParse(out sequence) && sequence is >= 0 and <= MaxSequence);
    }

    private LogCursor CursorOf(string log)
    {
        // Keys are chosen by clients: the cursors stay bounded (a forgotten cursor only re-reads records, at a cost in speed).
        if (_cursors.Count >= MaxCursors && !_cursors.ContainsKey(log))
        {
            _cursors.Clear();
        }

        return _cursors.GetOrAdd(log, _ => new LogCursor());
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
