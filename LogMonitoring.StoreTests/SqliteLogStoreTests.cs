using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;

namespace LogMonitoring.StoreTests;

/// <summary>The embedded store, always reachable: a SQLite file in a temporary folder.</summary>
public sealed class SqliteLogStoreTests : LogStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-sqlite-").FullName;

    protected override Task<ILogStore> CreateStoreAsync() =>
        Task.FromResult<ILogStore>(new SqliteLogStore($"Data Source={Path.Combine(_folder, "logs.db")}"));

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void The_connection_string_selects_the_store()
    {
        Assert.IsType<SqliteLogStore>(LogStoreExtensions.Create("Data Source=/tmp/x.db"));
        Assert.IsType<LogMonitoring.Storage.MongoDb.MongoLogStore>(LogStoreExtensions.Create("mongodb://localhost:27017/logs"));
        Assert.Throws<InvalidOperationException>(() => LogStoreExtensions.Create("Server=sql;Database=x"));
    }
}
