using System.Diagnostics.Metrics;
using LogMonitoring.Contracts;
using LogMonitoring.Stats;
using LogMonitoring.Stats.Rollups;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LogMonitoring.Tests.Stats;

/// <summary>
/// The text index worker indexes a backlog cycle after cycle instead of one bounded cycle per period, and leaves the
/// write lock to persisters that are behind.
/// </summary>
public sealed class TextIndexWorkerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-text-index-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_backlog_of_several_cycles_is_indexed_without_waiting_a_period_between_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new SqliteLogStore($"Data Source={Path.Combine(_folder, "logs.db")}") { TextIndexBatchSize = 100 };
        var initializer = new LogStoreInitializer(store, NullLogger<LogStoreInitializer>.Instance);
        await initializer.StartAsync(ct);
        await initializer.WaitAsync(ct);
        var events = Enumerable.Range(0, 350).Select(i => new LogEvent
        {
            Id = LogEventId.ForSource("api", $"backlog-{i}"),
            Timestamp = DateTime.UtcNow.AddSeconds(-i),
            Level = LogEventLevel.Info,
            Service = "api",
            Message = $"backlog {i}",
        }).ToList();
        await store.WriteBatchAsync(events, ct);
        Assert.Equal(events.Count, await store.UnindexedTextAsync(ct));

        // A period far longer than the test: only cycles run back to back can index four cycles' worth.
        var worker = new TextIndexWorker(store, initializer, Options.Create(new StatsOptions { TextIndexPeriod = TimeSpan.FromMinutes(10) }),
            new StatsMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<TextIndexWorker>.Instance);
        await worker.StartAsync(ct);
        try
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
            patience.CancelAfter(TimeSpan.FromMinutes(2));
            long unindexed;
            while ((unindexed = await store.UnindexedTextAsync(ct)) > 0 && !patience.IsCancellationRequested)
            {
                await Task.Delay(50, ct);
            }

            Assert.Equal(0, unindexed);
            Assert.Equal(events.Count, await store.CountAsync(new LogQuery { Where = LogMonitoring.Query.QueryParser.ParseValid("backlog", DateTime.UtcNow) }, ct));
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
            await initializer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_backlog_tells_how_many_logs_wait_and_when_the_newest_was_received_and_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.Zero));
        var (store, initializer) = await StartStoreAsync(clock, ct);
        Assert.Equal(TextIndexBacklog.None, await store.ReadTextBacklogAsync(ct));

        var received = clock.GetUtcNow().UtcDateTime.AddSeconds(-3);
        await store.WriteBatchAsync(Logs(120, received), ct);

        Assert.Equal(new TextIndexBacklog(120, received, clock.GetUtcNow().UtcDateTime), await store.ReadTextBacklogAsync(ct));
        await store.IndexTextAsync(ct);
        Assert.Equal(120 - 100, (await store.ReadTextBacklogAsync(ct)).LogsBehind);
        await initializer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_index_waits_while_the_persisters_are_behind_and_indexes_once_they_have_stopped_writing()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 12, 0, 0, TimeSpan.Zero));
        var (store, initializer) = await StartStoreAsync(clock, ct);
        // Stored 5 s after ingest received them, just now: persisters working off a backlog.
        var logs = Logs(300, clock.GetUtcNow().UtcDateTime.AddSeconds(-5));
        await store.WriteBatchAsync(logs, ct);

        var meters = _services.GetRequiredService<IMeterFactory>();
        var metrics = new StatsMetrics(meters);
        using var yielding = new MetricCollector<int>(meters, StatsMetrics.MeterName, "logmon.stats.text_index.yielding");
        int? Yielding()
        {
            yielding.RecordObservableInstruments();
            return yielding.LastMeasurement?.Value;
        }

        var worker = new TextIndexWorker(store, initializer,
            Options.Create(new StatsOptions { TextIndexPeriod = TimeSpan.FromMilliseconds(100), TextIndexYieldAfter = TimeSpan.FromSeconds(1) }),
            metrics, clock, NullLogger<TextIndexWorker>.Instance);
        await worker.StartAsync(ct);
        try
        {
            await WaitUntilAsync(() => Yielding() == 1, ct);
            Assert.Equal(logs.Count, await store.UnindexedTextAsync(ct));

            // Nothing stored for longer than writers that are behind go quiet: they have caught up or stopped.
            clock.Advance(TextIndexYield.WritersQuietAfter);
            await WaitUntilAsync(async () => await store.UnindexedTextAsync(ct) == 0, ct);
            await WaitUntilAsync(() => Yielding() == 0, ct);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
            await initializer.StopAsync(CancellationToken.None);
        }
    }

    private async Task<(SqliteLogStore Store, LogStoreInitializer Initializer)> StartStoreAsync(TimeProvider clock, CancellationToken ct)
    {
        var store = new SqliteLogStore($"Data Source={Path.Combine(_folder, "logs.db")}") { Clock = clock, TextIndexBatchSize = 100 };
        var initializer = new LogStoreInitializer(store, NullLogger<LogStoreInitializer>.Instance);
        await initializer.StartAsync(ct);
        await initializer.WaitAsync(ct);
        return (store, initializer);
    }

    private static List<LogEvent> Logs(int count, DateTime receivedAt) => Enumerable.Range(0, count).Select(i => new LogEvent
    {
        Id = LogEventId.ForSource("api", $"behind-{i}"),
        Timestamp = receivedAt.AddMilliseconds(-i),
        Level = LogEventLevel.Info,
        Service = "api",
        Message = $"behind {i}",
        ReceivedAt = receivedAt,
    }).ToList();

    private static Task WaitUntilAsync(Func<bool> condition, CancellationToken ct) => WaitUntilAsync(() => Task.FromResult(condition()), ct);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromMinutes(2));
        while (!await condition())
        {
            await Task.Delay(50, patience.Token);
        }
    }
}
