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

    /// <summary>
    /// A second handle on the same store, as a second stats replica (or a persister) would have; with a clock,
    /// its writes carry that clock's time as their storage time, as a persister with a skewed clock would write.
    /// </summary>
    protected abstract ILogStore OpenSecondHandle(TimeProvider? clock = null);

    /// <summary>
    /// Expires logs and statistics as the store does under <paramref name="retention"/> at <paramref name="now"/>:
    /// a store that deletes in passes runs one; MongoDB deletes what its TTL indexes would.
    /// </summary>
    /// <summary>True where the store also expires on its own schedule (MongoDB's TTL monitor), so an expired bucket may go at any time.</summary>
    protected virtual bool ExpiresOnItsOwn => false;

    protected virtual async Task ExpireAsync(RetentionOptions retention, DateTime now) =>
        await ((ILogRetention)Store).ApplyRetentionAsync(retention, now, Ct);

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(Ct);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

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

        var services = await Statistics.GetServicesAsync(from, Ct);
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
    /// Runs cycles until one has counted every stored log. Another replica's open cycle (MongoDB) makes cycles
    /// skip until it is handed over; a store that never catches up fails the test rather than letting it go on.
    /// </summary>
    protected async Task RollUpUntilCaughtUpAsync(ILogStatistics statistics)
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

        // A store that deletes in passes runs one; MongoDB expires by TTL and has none to run.
        var retention = new RetentionOptions { LogDays = 7, LevelDays = { ["DEBUG"] = 1 } };
        var result = Store is ILogRetention expiring ? await expiring.ApplyRetentionAsync(retention, now, Ct) : null;

        await AssertRetainedAsync(result, old, recent, now);
        // Hourly and 5-minute statistics outlive the logs; minute statistics keep 7 days by default.
        await AssertStatisticsMatchAsync([.. old, .. recent], [StatsInterval.FiveMinutes, StatsInterval.OneHour]);
        await AssertStatisticsMatchAsync(recent, [StatsInterval.OneMinute], checkServices: false);
    }

    /// <summary>What retention removed, as this store applies it (deleting, or by TTL).</summary>
    protected virtual async Task AssertRetainedAsync(RetentionResult? result, List<LogEvent> old, List<LogEvent> recent, DateTime now)
    {
        Assert.NotNull(result);
        var recentDebug = recent.Count(e => e.Level == LogEventLevel.Debug && e.Timestamp < now.AddDays(-1));
        Assert.Equal(old.Count + recentDebug, result.LogsDeleted);
        Assert.Equal(recent.Count - recentDebug, await Store.CountAsync(new LogQuery(), Ct));
    }

    [Fact]
    public async Task A_late_log_older_than_the_minute_retention_does_not_shrink_its_hour_and_five_minute_buckets()
    {
        var now = DateTime.UtcNow;
        var old = Generate(300, 20, now.AddDays(-10), TimeSpan.FromMinutes(50));
        await Store.WriteBatchAsync(old, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);
        // The minute buckets (7 days) expire; the logs (30 days) and the wider buckets stay.
        await ExpireAsync(new RetentionOptions(), now);

        var late = Generate(20, 21, now.AddDays(-10), TimeSpan.FromMinutes(50));
        await Store.WriteBatchAsync(late, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        await AssertStatisticsMatchAsync([.. old, .. late], [StatsInterval.FiveMinutes, StatsInterval.OneHour]);
        if (!ExpiresOnItsOwn)
        {
            // The late logs' minute buckets hold the late logs alone: the rest of those minutes had expired.
            await AssertStatisticsMatchAsync(late, [StatsInterval.OneMinute], checkServices: false);
        }
    }

    [Fact]
    public async Task Logs_expired_by_a_level_retention_do_not_shrink_the_buckets_a_late_log_lands_in()
    {
        var now = DateTime.UtcNow;
        var first = Generate(600, 30, now.AddDays(-3), TimeSpan.FromHours(2));
        await Store.WriteBatchAsync(first, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);
        var retention = new RetentionOptions { LevelDays = { ["DEBUG"] = 1 } };
        await ExpireAsync(retention, now);
        var debug = first.Count(e => e.Level == LogEventLevel.Debug);
        Assert.True(debug > 0);
        Assert.Equal(first.Count - debug, await Store.CountAsync(new LogQuery(), Ct));

        var late = Generate(100, 31, now.AddDays(-3), TimeSpan.FromHours(2));
        await Store.WriteBatchAsync(late, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        await AssertStatisticsMatchAsync([.. first, .. late]);
    }

    [Fact]
    public async Task A_log_past_its_retention_is_counted_before_it_is_deleted()
    {
        var now = DateTime.UtcNow;
        var old = Generate(300, 40, now.AddDays(-5), TimeSpan.FromHours(1));
        await Store.WriteBatchAsync(old, Ct);
        // Retention runs before any rollup: nothing may go that the statistics have not counted.
        await ExpireAsync(new RetentionOptions { LevelDays = { ["DEBUG"] = 1, ["INFO"] = 2 } }, now);
        await RollUpUntilCaughtUpAsync(Statistics);

        await AssertStatisticsMatchAsync(old);
    }

    [Fact]
    public async Task Logs_stored_by_a_skewed_clock_or_becoming_visible_late_are_counted()
    {
        var now = DateTime.UtcNow;
        var first = Generate(300, 50, now, TimeSpan.FromMinutes(30));
        await Store.WriteBatchAsync(first, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        // A persister whose clock is an hour slow, or a write acknowledged long after it was stamped (an
        // election), looks the same to the store: a storage time well before the cycles that already ran.
        var slow = OpenSecondHandle(new FixedClock(now.AddHours(-1)));
        await slow.InitializeAsync(Ct);
        var behind = Generate(200, 51, now, TimeSpan.FromMinutes(30));
        // A log from a host whose clock is weeks behind, stored by a persister whose clock is a day ahead.
        var fast = OpenSecondHandle(new FixedClock(now.AddDays(1)));
        var farPast = Generate(50, 52, now.AddDays(-20), TimeSpan.FromHours(1));
        await slow.WriteBatchAsync(behind, Ct);
        await fast.WriteBatchAsync(farPast, Ct);
        var after = Generate(100, 53, now, TimeSpan.FromMinutes(30));
        await Store.WriteBatchAsync(after, Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        await AssertStatisticsMatchAsync([.. first, .. behind, .. farPast, .. after], [StatsInterval.FiveMinutes, StatsInterval.OneHour]);
        await AssertStatisticsMatchAsync([.. first, .. behind, .. after], [StatsInterval.OneMinute], checkServices: false);
    }

    [Fact]
    public async Task A_cycle_after_everything_is_counted_does_no_work()
    {
        var now = DateTime.UtcNow;
        await Store.WriteBatchAsync(Generate(500, 60, now, TimeSpan.FromMinutes(5)), Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        var idle = await Statistics.RollUpAsync("contract-test", Ct);

        Assert.True(idle.Ran && idle.CaughtUp, $"idle cycle: {idle}");
        Assert.Equal(0, idle.BucketsTouched);
        Assert.Equal(0, idle.LogsCounted);
    }

    [Fact]
    public async Task A_cycle_counts_what_arrived_since_the_last_one()
    {
        var now = DateTime.UtcNow;
        await Store.WriteBatchAsync(Generate(400, 61, now, TimeSpan.FromMinutes(5)), Ct);
        await RollUpUntilCaughtUpAsync(Statistics);
        var fresh = Generate(7, 62, now, TimeSpan.FromMinutes(5));
        await Store.WriteBatchAsync(fresh, Ct);

        var cycle = await Statistics.RollUpAsync("contract-test", Ct);

        Assert.True(cycle.Ran && cycle.CaughtUp, $"cycle: {cycle}");
        Assert.Equal(fresh.Count, cycle.LogsCounted);
        Assert.InRange(cycle.BucketsTouched, 1, fresh.Count);
    }

    [Fact]
    public async Task Services_lists_every_service_seen_with_its_counts_over_the_window()
    {
        var now = DateTime.UtcNow;
        var hour = StatsInterval.OneHour.BucketStart(now);
        var quiet = Generate(100, 70, hour.AddDays(-3), TimeSpan.FromHours(1)).Select(e => e with { Service = "quiet-svc" }).ToList();
        var busy = Generate(200, 71, now, TimeSpan.FromMinutes(20)).Select(e => e with { Service = "busy-svc" }).ToList();
        await Store.WriteBatchAsync([.. quiet, .. busy], Ct);
        await RollUpUntilCaughtUpAsync(Statistics);

        var services = await Statistics.GetServicesAsync(hour.AddHours(-23), Ct);

        Assert.Equal(["busy-svc", "quiet-svc"], services.Select(s => s.Service));
        Assert.Equal(busy.Count, services[0].Levels.Total);
        Assert.Equal(busy.Max(e => e.Timestamp), services[0].LastSeen, TimeSpan.FromMilliseconds(1));
        // Seen before the window: listed, with nothing counted in it, and its last log's time.
        Assert.Equal(LevelCounts.Zero, services[1].Levels);
        Assert.Equal(quiet.Max(e => e.Timestamp), services[1].LastSeen, TimeSpan.FromMilliseconds(1));

        var longer = await Statistics.GetServicesAsync(hour.AddDays(-4), Ct);
        Assert.Equal(quiet.Count, longer.Single(s => s.Service == "quiet-svc").Levels.Total);
    }

    /// <summary>A clock that always reads the same instant.</summary>
    protected sealed class FixedClock(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(now, TimeSpan.Zero);
    }
}
