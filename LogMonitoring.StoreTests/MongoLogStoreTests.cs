using LogMonitoring.Storage;
using LogMonitoring.Storage.MongoDb;
using MongoDB.Bson;
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

    [Fact]
    public async Task A_document_MongoDB_refuses_is_reported_alone_and_the_rest_of_the_batch_is_stored()
    {
        // A validator stands in for any refusal that belongs to one document (too large, invalid): a permanent
        // failure of that event, which the persister dead-letters, not a failure of the store.
        var database = new MongoClient(_connectionString).GetDatabase(_database);
        await database.RunCommandAsync<BsonDocument>(
            new BsonDocument { { "collMod", MongoLogStore.LogsCollection }, { "validator", new BsonDocument("message", new BsonDocument("$not", new BsonRegularExpression("poison"))) } },
            cancellationToken: TestContext.Current.CancellationToken);

        var result = await Store.WriteBatchAsync([Event(0), Event(1, message: "poison pill"), Event(2)], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.Inserted);
        Assert.Empty(result.DuplicateIndexes);
        Assert.Equal(1, Assert.Single(result.Rejected).Index);
        Assert.Equal(2, await Store.CountAsync(new LogQuery(), TestContext.Current.CancellationToken));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await new MongoClient(_connectionString).DropDatabaseAsync(_database);
        }
    }
}
