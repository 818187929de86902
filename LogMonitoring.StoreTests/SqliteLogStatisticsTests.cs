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

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
