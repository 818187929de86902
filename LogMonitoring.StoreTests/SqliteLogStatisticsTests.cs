using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;

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

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
