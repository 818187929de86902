using LogMonitoring.Storage;
using LogMonitoring.Storage.MongoDb;
using MongoDB.Driver;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The MongoDB store, run when <c>LOGMON_TEST_MONGO</c> holds a connection string (CI on GitHub sets it
/// with a mongo service container). Each test uses a database of its own, dropped afterwards.
/// </summary>
public sealed class MongoLogStoreTests : LogStoreContract
{
    public const string ConnectionVariable = "LOGMON_TEST_MONGO";
    private string? _database;
    private string? _connectionString;

    protected override Task<ILogStore> CreateStoreAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.Skip($"No MongoDB here: set {ConnectionVariable} to a connection string (e.g. mongodb://localhost:27017) to run the MongoDB store contract tests.");
        }

        _database = $"logmon_test_{Guid.NewGuid():N}";
        _connectionString = new MongoUrlBuilder(configured) { DatabaseName = _database }.ToString();
        return Task.FromResult<ILogStore>(new MongoLogStore(_connectionString));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await new MongoClient(_connectionString).DropDatabaseAsync(_database);
        }
    }
}
