using LogMonitoring.Contracts;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Statistics;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The rollups' promises, for every store: after a cycle each 1m/5m/1h bucket equals a brute-force count
/// over the distinct stored events (late arrivals included, redeliveries counted once), several replicas
/// rolling up at once count nothing twice, and retention removes logs but keeps statistics.
/// </summary>
public abstract class LogStatisticsContract : IAsyncLifetime
{
    private static readonly string[] Services = ["checkout", "search", "payments"];

    protected ILogStore Store { get; private set; } = null!;

    protected ILogStatistics Statistics => (ILogStatistics)Store;

    protected abstract Task<ILogStore> CreateStoreAsync();

    /// <summary>A second handle on the same store, as a second stats replica would have.</summary>
    protected abstract ILogStore OpenSecondHandle();

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(Ct);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Events over several hours, every level, several services; ids unique per (seed, i).</summary>
    protected static List<LogEvent> Generate(int count, int seed, DateTime newest, TimeSpan spread)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var service = Services[random.Next(Services.Length)];
            return new LogEvent
            {
                Id = LogEventId.ForSource(service, $"{seed}-{i}"),
                SourceId = $"{seed}-{i}",
                Timestamp = newest - TimeSpan.FromTicks((long)(random.NextDouble() * spread.Ticks)),
                Level = (LogEventLevel)random.Next(6),
                Service = service,
                Message = $"generated {seed}-{i}",
            };
        }).ToList();
    }

    /// <summary>Compares every bucket of every interval with a count over <paramref name="stored"/>.</summary>
    protected async Task AssertStatisticsMatchAsync(IReadOnlyCollection<LogEvent> stored, IReadOnlyList<StatsInterval>? intervals = null, bool checkServices = true)
    {
        var distinct = stored.DistinctBy(e => e.Id).ToList();
        var from = distinct.Min(e => e.Timestamp).AddHours(-2);
        var to = distinct.Max(e => e.Timestamp).AddHours(2);
        foreach (var interval in intervals ?? StatsIntervals.All)
        {
            var expected = distinct
                .GroupBy(e => (Bucket: interval.BucketStart(e.Timestamp), e.Service))
                .ToDictionary(g => g.Key, g => (Counts: Count(g), LastSeen: g.Max(e => e.Timestamp)));
            var actual = await Statistics.GetBucketsAsync(interval, from, to, null, Ct);

            Assert.Equal(expected.Count, actual.Count);
            foreach (var bucket in actual)
            {
                Assert.True(expected.TryGetValue((bucket.Bucket, bucket.Service), out var want), $"unexpected {interval} bucket {bucket.Bucket:O} {bucket.Service}");
                Assert.Equal(want.Counts, bucket.Levels);
                Assert.Equal(want.LastSeen, bucket.LastSeen, TimeSpan.FromMilliseconds(1));
                Assert.Equal((double)want.Counts.Errors / want.Counts.Total, bucket.ErrorRate, 9);
            }
        }

        if (!checkServices)
        {
            return;
        }

        var services = await Statistics.GetServicesAsync(Ct);
        Assert.Equal(distinct.Select(e => e.Service).Distinct().Order(StringComparer.Ordinal), services.Select(s => s.Service));
        foreach (var service in services)
        {
            Assert.Equal(Count(distinct.Where(e => e.Service == service.Service)), service.Levels);
        }
    }

    private static LevelCounts Count(IEnumerable<LogEvent> events)
    {
        var by = events.GroupBy(e => e.Level).ToDictionary(g => g.Key, g => (long)g.Count());
        return new LevelCounts(
            by.GetValueOrDefault(LogEventLevel.Trace), by.GetValueOrDefault(LogEventLevel.Debug), by.GetValueOrDefault(LogEventLevel.Info),
            by.GetValueOrDefault(LogEventLevel.Warn), by.GetValueOrDefault(LogEventLevel.Error), by.GetValueOrDefault(LogEventLevel.Fatal));
    }

    /// <summary>
    /// Runs cycles until one has counted every stored log. Another replica's lease (MongoDB) makes cycles
    /// skip until it expires; a store that never catches up fails the test rather than letting it go on.
    /// </summary>
    private async Task RollUpUntilCaughtUpAsync(ILogStatistics statistics)
    {
        var limit = TimeSpan.FromMinutes(2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cycles = 0;
        RollupCycleResult? last = null;
        while (clock.Elapsed < limit)
        {
            last = await statistics.RollUpAsync("contract-test", Ct);
            cycles++;
            if (last.Ran && last.CaughtUp)
            {
                return;
            }

            if (!last.Ran)
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.Fail($"The statistics had not caught up with the stored logs after {cycles} rollup cycles in {limit}; the last cycle: {last}");
    }

    [Fact]
    public async Task Buckets_equal_the_counts_over_the_stored_logs_including_late_arrivals_and_redeliveries()
    {
        var now = DateTime.UtcNow;
        var first = Generate(3000, 1, now, TimeSpan.FromHours(5));
        await Store.WriteBatchAsync(first, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);
        await AssertStatisticsMatchAsync(first);

        // Late arrivals: hours in the past, landing in buckets that were already rolled up.
        var late = Generate(1000, 2, now.AddHours(-3), TimeSpan.FromHours(2));
        // Redelivery: a slice of the first batch arrives again, together with the late logs.
        await Store.WriteBatchAsync([.. late, .. first.Take(500)], Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        await AssertStatisticsMatchAsync([.. first, .. late]);
    }

    [Fact]
    public async Task Two_replicas_rolling_up_at_once_count_the_same_as_one()
    {
        var now = DateTime.UtcNow;
        var second = (ILogStatistics)OpenSecondHandle();
        var written = new List<LogEvent>();
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        async Task Roll(ILogStatistics replica, string name)
        {
            while (!writing.IsCancellationRequested)
            {
                await replica.RollUpAsync(name, Ct);
                await Task.Delay(10, Ct);
            }
        }

        var rollers = new[] { Roll(Statistics, "replica-a"), Roll(second, "replica-b") };
        for (var batch = 0; batch < 10; batch++)
        {
            var events = Generate(400, 100 + batch, now, TimeSpan.FromMinutes(30));
            await Store.WriteBatchAsync([.. events, .. written.Take(50)], Ct);
            written.AddRange(events);
        }

        await writing.CancelAsync();
        await Task.WhenAll(rollers);
        await RollUpUntilCaughtUpAsync(Statistics);
        await RollUpUntilCaughtUpAsync(second);

        await AssertStatisticsMatchAsync(written);
    }

    [Fact]
    public async Task Retention_removes_expired_logs_and_keeps_their_statistics()
    {
        var now = DateTime.UtcNow;
        var old = Generate(300, 7, now.AddDays(-10), TimeSpan.FromHours(1));
        var recent = Generate(300, 8, now, TimeSpan.FromHours(1));
        await Store.WriteBatchAsync([.. old, .. recent], Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        var result = await Statistics.ApplyRetentionAsync(
            new RetentionOptions { LogDays = 7, LevelDays = { ["DEBUG"] = 1 } }, now, Ct);

        await AssertRetainedAsync(result, old, recent, now);
        // Hourly and 5-minute statistics outlive the logs; minute statistics keep 7 days by default.
        await AssertStatisticsMatchAsync([.. old, .. recent], [StatsInterval.FiveMinutes, StatsInterval.OneHour]);
        await AssertStatisticsMatchAsync(recent, [StatsInterval.OneMinute], checkServices: false);
    }

    /// <summary>What retention removed, as this store applies it (deleting, or by TTL).</summary>
    protected virtual async Task AssertRetainedAsync(RetentionResult result, List<LogEvent> old, List<LogEvent> recent, DateTime now)
    {
        var recentDebug = recent.Count(e => e.Level == LogEventLevel.Debug && e.Timestamp < now.AddDays(-1));
        Assert.Equal(old.Count + recentDebug, result.LogsDeleted);
        Assert.Equal(recent.Count - recentDebug, await Store.CountAsync(new LogQuery(), Ct));
    }
}
