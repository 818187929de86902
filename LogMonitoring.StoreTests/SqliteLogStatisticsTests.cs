using LogMonitoring.Contracts;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;
using LogMonitoring.Storage.Statistics;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.StoreTests;

public sealed class SqliteLogStatisticsTests : LogStatisticsContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-stats-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "logs.db")}";

    protected override Task<ILogStore> CreateStoreAsync() => Task.FromResult<ILogStore>(new SqliteLogStore(ConnectionString) { MaxLogsPerCycle = 700 });

    protected override ILogStore OpenSecondHandle(TimeProvider? clock = null) =>
        new SqliteLogStore(ConnectionString) { MaxLogsPerCycle = 700, Clock = clock ?? TimeProvider.System };

    [Fact]
    public async Task The_services_window_is_a_range_of_the_hourly_key_not_a_scan_of_the_history()
    {
        var store = (SqliteLogStore)Store;

        var plan = await store.ExplainServicesWindowAsync(DateTime.UtcNow.AddHours(-24), TestContext.Current.CancellationToken);

        Assert.Contains(plan, step => step.StartsWith("SEARCH logs_hourly_stats USING PRIMARY KEY (bucket>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN logs_hourly_stats", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cycle_whose_logs_another_replica_counted_between_its_read_and_its_write_changes_nothing()
    {
        var now = DateTime.UtcNow;
        var store = (SqliteLogStore)Store;
        var other = (SqliteLogStore)OpenSecondHandle();
        var first = Generate(500, 80, now, TimeSpan.FromMinutes(30));
        await Store.WriteBatchAsync(first, Ct);

        var found = await store.ReadNewLogsAsync(Ct);
        // Another replica counts the same logs between this cycle's read and its write.
        var won = await other.RollUpAsync("replica-b", Ct);
        var later = Generate(300, 81, now, TimeSpan.FromMinutes(30));
        await Store.WriteBatchAsync(later, Ct);
        var lost = await store.FoldInAsync(found, Ct);

        Assert.Equal(first.Count, found.Minutes.Sum(m => m.Total));
        Assert.True(won is { Ran: true, CaughtUp: true } && won.LogsCounted == first.Count, $"the other replica's cycle: {won}");
        Assert.True(lost is { Ran: false, BucketsTouched: 0, LogsCounted: null }, $"the cycle that lost the race: {lost}");
        await RollUpUntilCaughtUpAsync(Statistics);
        await AssertStatisticsMatchAsync([.. first, .. later]);
    }

    [Fact]
    public async Task Logs_of_several_services_and_levels_across_an_hour_boundary_give_the_buckets_a_count_over_the_logs_gives()
    {
        var hour = StatsInterval.OneHour.BucketStart(DateTime.UtcNow).AddHours(-1);
        var around = Generate(2000, 90, hour.AddMinutes(20), TimeSpan.FromMinutes(40));
        // On the boundaries to the tick: the last tick of an hour (and of its last minute and 5 minutes), the first of the next.
        var edges = new[] { hour.AddTicks(-1), hour, hour.AddMinutes(5).AddTicks(-1), hour.AddMinutes(5) }
            .SelectMany((at, i) => Generate(12, 91 + i, at, TimeSpan.Zero))
            .ToList();
        var written = new List<LogEvent>();
        long counted = 0;
        foreach (var batch in around.Concat(edges).Chunk(450))
        {
            // Each batch with a slice of the last one again: redeliveries are never rows, and leave gaps in seq.
            await Store.WriteBatchAsync([.. batch, .. written.TakeLast(40)], Ct);
            written.AddRange(batch);
            RollupCycleResult cycle;
            do
            {
                cycle = await Statistics.RollUpAsync("contract-test", Ct);
                counted += cycle.LogsCounted ?? 0;
            }
            while (!cycle.CaughtUp);
        }

        Assert.Equal(written.Count, counted);
        await AssertStatisticsMatchAsync(written);
        await AssertTablesEqualOneScanOfEveryLogAsync();
    }

    /// <summary>
    /// Every bucket table and the services list hold what one GROUP BY over all stored logs gives, the query each
    /// table's own scan ran per cycle before the cycles read the new logs once.
    /// </summary>
    private async Task AssertTablesEqualOneScanOfEveryLogAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        foreach (var interval in StatsIntervals.All)
        {
            var expected = await RowsAsync(connection, $"""
                SELECT ts - (ts % {interval.Length().Ticks}), service,
                       SUM(level = 0), SUM(level = 1), SUM(level = 2), SUM(level = 3), SUM(level = 4), SUM(level = 5), MAX(ts)
                FROM logs GROUP BY 1, 2 ORDER BY 1, 2
                """);
            var actual = await RowsAsync(connection, $"SELECT bucket, service, trace, debug, info, warn, error, fatal, last_ts FROM {interval.CollectionName()} ORDER BY bucket, service");
            Assert.Equal(expected, actual);
        }

        Assert.Equal(
            await RowsAsync(connection, "SELECT service, MAX(ts) FROM logs GROUP BY service ORDER BY service"),
            await RowsAsync(connection, "SELECT service, last_ts FROM log_services ORDER BY service"));
    }

    private static async Task<List<string>> RowsAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add(string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)));
        }

        return rows;
    }

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
