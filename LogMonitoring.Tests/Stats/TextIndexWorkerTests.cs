using System.Diagnostics.Metrics;
using LogMonitoring.Contracts;
using LogMonitoring.Stats;
using LogMonitoring.Stats.Rollups;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Tests.Stats;

/// <summary>The text index worker indexes a backlog cycle after cycle instead of one bounded cycle per period.</summary>
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
            new StatsMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<TextIndexWorker>.Instance);
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
}
