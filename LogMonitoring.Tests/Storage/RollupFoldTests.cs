using FsCheck.Xunit;
using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// The in-memory fold of a rollup cycle: minute counts widened into 5-minute and hourly buckets, and each
/// service's newest log, equal what counting the logs into those buckets directly gives.
/// </summary>
public sealed class RollupFoldTests
{
    private static readonly DateTime Hour = new(2024, 1, 15, 10, 0, 0, DateTimeKind.Utc);

    private static DateTime At(int minute, int second = 0) => Hour.AddMinutes(minute).AddSeconds(second);

    [Fact]
    public void Minutes_across_an_hour_boundary_sum_into_their_five_minute_and_hourly_buckets_with_the_newest_time()
    {
        IReadOnlyList<StatsBucket> minutes =
        [
            new(At(58), "api", new LevelCounts(1, 0, 2, 0, 0, 0), At(58, 40)),
            new(At(58), "auth", new LevelCounts(0, 0, 0, 0, 1, 0), At(58, 5)),
            new(At(59), "api", new LevelCounts(0, 3, 0, 1, 0, 0), At(59, 59).AddTicks(9_999_999)),
            new(At(60), "api", new LevelCounts(0, 0, 4, 0, 0, 1), At(60)),
            new(At(64), "api", new LevelCounts(0, 0, 1, 0, 0, 0), At(64, 30)),
            new(At(65), "auth", new LevelCounts(2, 0, 0, 0, 0, 0), At(65, 1)),
        ];

        Assert.Equal(
            [
                new(At(55), "api", new LevelCounts(1, 3, 2, 1, 0, 0), At(59, 59).AddTicks(9_999_999)),
                new(At(55), "auth", new LevelCounts(0, 0, 0, 0, 1, 0), At(58, 5)),
                new(At(60), "api", new LevelCounts(0, 0, 5, 0, 0, 1), At(64, 30)),
                new StatsBucket(At(65), "auth", new LevelCounts(2, 0, 0, 0, 0, 0), At(65, 1)),
            ],
            RollupFold.Widen(minutes, StatsInterval.FiveMinutes));
        Assert.Equal(
            [
                new(At(0), "api", new LevelCounts(1, 3, 2, 1, 0, 0), At(59, 59).AddTicks(9_999_999)),
                new(At(0), "auth", new LevelCounts(0, 0, 0, 0, 1, 0), At(58, 5)),
                new(At(60), "api", new LevelCounts(0, 0, 5, 0, 0, 1), At(64, 30)),
                new StatsBucket(At(60), "auth", new LevelCounts(2, 0, 0, 0, 0, 0), At(65, 1)),
            ],
            RollupFold.Widen(minutes, StatsInterval.OneHour));
        Assert.Equal(minutes, RollupFold.Widen(minutes, StatsInterval.OneMinute));
        Assert.Equal([("api", At(64, 30)), ("auth", At(65, 1))], RollupFold.NewestPerService(minutes));
    }

    [Fact]
    public void No_minutes_give_no_buckets_and_no_services()
    {
        Assert.Empty(RollupFold.Widen([], StatsInterval.OneHour));
        Assert.Empty(RollupFold.NewestPerService([]));
    }

    /// <summary>
    /// Logs anywhere in three hours, to the tick, a quarter of them on or a tick before a minute's start: counted
    /// per minute and widened, or counted per wider bucket at once.
    /// </summary>
    [Property(MaxTest = 300)]
    public void Widening_the_minute_counts_equals_counting_the_logs_into_the_wider_buckets(int seed)
    {
        var random = new Random(seed);
        var events = Enumerable.Range(0, random.Next(200)).Select(_ =>
        {
            var offset = random.Next(4) == 0
                ? TimeSpan.FromMinutes(random.Next(1, 180)).Ticks - random.Next(2)
                : random.NextInt64(TimeSpan.FromHours(3).Ticks);
            return (Timestamp: Hour.AddTicks(offset), Service: $"svc-{random.Next(3)}", Level: (LogEventLevel)random.Next(6));
        }).ToList();
        var minutes = Count(events, StatsInterval.OneMinute);

        foreach (var interval in StatsIntervals.All)
        {
            Assert.Equal(Count(events, interval), RollupFold.Widen(minutes, interval).OrderBy(b => b.Bucket).ThenBy(b => b.Service, StringComparer.Ordinal));
        }

        Assert.Equal(
            events.GroupBy(e => e.Service).Select(g => (g.Key, g.Max(e => e.Timestamp))).OrderBy(s => s.Key, StringComparer.Ordinal),
            RollupFold.NewestPerService(minutes).OrderBy(s => s.Service, StringComparer.Ordinal));
    }

    /// <summary>Counts the logs straight into the buckets of one interval, as the stores' per-interval scans did.</summary>
    private static List<StatsBucket> Count(IEnumerable<(DateTime Timestamp, string Service, LogEventLevel Level)> events, StatsInterval interval) =>
        events
            .GroupBy(e => (Bucket: interval.BucketStart(e.Timestamp), e.Service))
            .Select(g => new StatsBucket(g.Key.Bucket, g.Key.Service, Levels(g.Select(e => e.Level)), g.Max(e => e.Timestamp)))
            .OrderBy(b => b.Bucket).ThenBy(b => b.Service, StringComparer.Ordinal)
            .ToList();

    private static LevelCounts Levels(IEnumerable<LogEventLevel> levels)
    {
        var list = levels.ToList();
        long Of(LogEventLevel level) => list.Count(l => l == level);
        return new LevelCounts(Of(LogEventLevel.Trace), Of(LogEventLevel.Debug), Of(LogEventLevel.Info), Of(LogEventLevel.Warn), Of(LogEventLevel.Error), Of(LogEventLevel.Fatal));
    }
}
