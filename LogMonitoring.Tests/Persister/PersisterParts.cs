using System.Diagnostics.Metrics;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.Persister;
using LogMonitoring.Persister.Batches;
using LogMonitoring.Query;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace LogMonitoring.Tests.Persister;

/// <summary>
/// A real store (SQLite in a temporary folder) behind a wrapper that injects the two kinds of store failure:
/// one event refused for itself (permanent) and the whole store away (transient).
/// </summary>
public sealed class FaultyStore : ILogStore, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-faulty-").FullName;
    private readonly SqliteLogStore _inner;
    private int _failuresLeft;

    public FaultyStore()
    {
        _inner = new SqliteLogStore($"Data Source={Path.Combine(_folder, "logs.db")}");
    }

    /// <summary>Events whose message contains this are refused one by one, as MongoDB refuses a document.</summary>
    public string PoisonWord { get; set; } = "poison";

    /// <summary>While true, every write throws, as a store that cannot be reached.</summary>
    public bool Down { get; set; }

    public int Attempts { get; private set; }

    public string Kind => "faulty";

    /// <summary>The next <paramref name="count"/> writes throw, then the store answers again.</summary>
    public void FailNext(int count) => _failuresLeft = count;

    public Task InitializeAsync(CancellationToken cancellationToken) => _inner.InitializeAsync(cancellationToken);

    public async Task<LogWriteResult> WriteBatchAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        Attempts++;
        if (Down || Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            throw new TimeoutException("the store did not answer (injected)");
        }

        var refused = events.Select((e, i) => (e, i)).Where(p => p.e.Message.Contains(PoisonWord, StringComparison.Ordinal)).Select(p => p.i).ToList();
        var kept = events.Where((_, i) => !refused.Contains(i)).ToList();
        var positions = Enumerable.Range(0, events.Count).Where(i => !refused.Contains(i)).ToList();
        var written = await _inner.WriteBatchAsync(kept, cancellationToken);
        return new LogWriteResult(written.Inserted, written.DuplicateIndexes.Select(d => positions[d]).ToList())
        {
            Rejected = refused.Select(i => new LogWriteRejection(i, "document refused (injected)")).ToList(),
        };
    }

    public Task<LogPage> SearchAsync(LogQuery query, int limit, LogCursor? after, CancellationToken cancellationToken) =>
        _inner.SearchAsync(query, limit, after, cancellationToken);

    public Task<long> CountAsync(LogQuery query, CancellationToken cancellationToken) => _inner.CountAsync(query, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => _inner.PingAsync(cancellationToken);

    public async Task<List<LogEvent>> AllAsync()
    {
        var page = await _inner.SearchAsync(new LogQuery(), 10_000, null, CancellationToken.None);
        return page.Items.ToList();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>A dead-letter topic that records what it takes, and can refuse the next sends.</summary>
public sealed class RecordingDeadLetters : IDeadLetterSink
{
    private int _failuresLeft;

    public List<(long Offset, string Reason)> Sent { get; } = [];

    public void FailNext(int count) => _failuresLeft = count;

    public Task SendAsync(ConsumeResult<byte[]?, byte[]?> origin, string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Task.FromException(new ProduceException<byte[]?, byte[]?>(new Error(ErrorCode.Local_MsgTimedOut), new DeliveryResult<byte[]?, byte[]?>()));
        }

        lock (Sent)
        {
            Sent.Add((origin.Offset.Value, reason));
        }

        return Task.CompletedTask;
    }
}

/// <summary>The persister's metrics on a meter factory of their own, with a counter reader.</summary>
public sealed class PersisterMetricsProbe : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = [];
    private readonly Dictionary<int, long> _lag = [];

    public PersisterMetricsProbe()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new PersisterMetrics(factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (_totals)
            {
                if (instrument.Name == "logmon.persister.consumer.lag")
                {
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "partition")
                        {
                            _lag[(int)tag.Value!] = value;
                        }
                    }
                }
                else
                {
                    _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        _listener.Start();
    }

    public PersisterMetrics Metrics { get; }

    public long Total(string instrument)
    {
        lock (_totals)
        {
            return _totals.GetValueOrDefault(instrument);
        }
    }

    /// <summary>The lag gauge as a scrape would read it now: one value per partition it reports.</summary>
    public Dictionary<int, long> Lag()
    {
        lock (_totals)
        {
            _lag.Clear();
        }

        _listener.RecordObservableInstruments();
        lock (_totals)
        {
            return new Dictionary<int, long>(_lag);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}

public static class TopicMessages
{
    public const string Topic = "logs";

    public static ConsumeResult<byte[]?, byte[]?> At(long offset, string? json, int partition = 0) => new()
    {
        Topic = Topic,
        Partition = new Partition(partition),
        Offset = new Offset(offset),
        Message = new Message<byte[]?, byte[]?> { Value = json is null ? null : System.Text.Encoding.UTF8.GetBytes(json) },
    };

    public static string Event(long n, string message = "event") =>
        $$"""{"id":"e{{n}}","timestamp":"2024-01-15T10:00:00Z","level":"INFO","service":"api","message":"{{message}} {{n}}"}""";
}
