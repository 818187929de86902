using System.Diagnostics.Metrics;
using LogMonitoring.Contracts;
using LogMonitoring.Stats;
using LogMonitoring.Stats.Rollups;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;
using LogMonitoring.Storage.Statistics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Tests.Stats;

/// <summary>The scheduler works a backlog off cycle after cycle instead of one bounded cycle per period.</summary>
public sealed class RollupSchedulerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-scheduler-").FullName;
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_backlog_of_several_cycles_is_counted_without_waiting_a_period_between_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new SqliteLogStore($"Data Source={Path.Combine(_folder, "logs.db")}") { MaxLogsPerCycle = 100 };
        var now = DateTime.UtcNow;
        var initializer = new LogStoreInitializer(store, NullLogger<LogStoreInitializer>.Instance);
        await initializer.StartAsync(ct);
        await initializer.WaitAsync(ct);
        var events = Enumerable.Range(0, 350).Select(i => new LogEvent
        {
            Id = LogEventId.ForSource("api", $"backlog-{i}"),
            Timestamp = now.AddSeconds(-i),
            Level = LogEventLevel.Info,
            Service = "api",
            Message = $"backlog {i}",
        }).ToList();
        await store.WriteBatchAsync(events, ct);

        // A period far longer than the test: only cycles run back to back can count four cycles' worth.
        var scheduler = new RollupScheduler(store, initializer, Options.Create(new StatsOptions { RollupPeriod = TimeSpan.FromMinutes(10) }),
            new StatsMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<RollupScheduler>.Instance);
        await scheduler.StartAsync(ct);
        try
        {
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
            patience.CancelAfter(TimeSpan.FromMinutes(2));
            long counted = 0;
            while (counted < events.Count && !patience.IsCancellationRequested)
            {
                var buckets = await store.GetBucketsAsync(StatsInterval.OneHour, now.AddHours(-2), now.AddHours(1), "api", ct);
                counted = buckets.Sum(b => b.Total);
                if (counted < events.Count)
                {
                    await Task.Delay(50, ct);
                }
            }

            Assert.Equal(events.Count, counted);
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
            await initializer.StopAsync(CancellationToken.None);
        }
    }
}
