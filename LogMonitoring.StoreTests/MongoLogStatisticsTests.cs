using LogMonitoring.Contracts;
using LogMonitoring.Storage;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Statistics;
using MongoDB.Driver;

namespace LogMonitoring.StoreTests;

/// <summary>The rollup contract against a live MongoDB, when <c>LOGMON_TEST_MONGO</c> names one.</summary>
public sealed class MongoLogStatisticsTests : LogStatisticsContract
{
    private string? _connectionString;

    protected override Task<ILogStore> CreateStoreAsync()
    {
        var configured = Environment.GetEnvironmentVariable(MongoLogStoreTests.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.Skip($"No MongoDB here: set {MongoLogStoreTests.ConnectionVariable} to a connection string (e.g. mongodb://localhost:27017) to run the MongoDB rollup contract tests.");
        }

        _connectionString = new MongoUrlBuilder(configured) { DatabaseName = $"logmon_stats_{Guid.NewGuid():N}" }.ToString();
        return Task.FromResult<ILogStore>(new MongoLogStore(_connectionString) { RollupLease = TimeSpan.FromSeconds(5) });
    }

    protected override ILogStore OpenSecondHandle() => new MongoLogStore(_connectionString!) { RollupLease = TimeSpan.FromSeconds(5) };

    /// <summary>MongoDB deletes by TTL in the background; here the documents' expiry dates are checked instead.</summary>
    protected override async Task AssertRetainedAsync(RetentionResult? result, List<LogEvent> old, List<LogEvent> recent, DateTime now)
    {
        var logs = new MongoClient(_connectionString).GetDatabase(MongoUrl.Create(_connectionString).DatabaseName).GetCollection<LogDocument>(MongoLogStore.LogsCollection);
        var expired = await logs.CountDocumentsAsync(d => d.ExpireAt < now, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(expired >= old.Count, $"{expired} logs carry an expiry in the past; expected at least the {old.Count} old ones");
    }

    [Fact]
    public async Task A_changed_statistics_retention_applies_on_the_next_start()
    {
        // The store was initialized with the defaults; a restart with other retention must not fail on the TTL index.
        var restarted = new MongoLogStore(_connectionString!, new RetentionOptions { MinuteStatsDays = 3, HourlyStatsDays = 500 });
        await restarted.InitializeAsync(TestContext.Current.CancellationToken);
        await restarted.InitializeAsync(TestContext.Current.CancellationToken);

        var database = new MongoClient(_connectionString).GetDatabase(MongoUrl.Create(_connectionString).DatabaseName);
        foreach (var (interval, days) in new[] { (StatsInterval.OneMinute, 3), (StatsInterval.FiveMinutes, 60), (StatsInterval.OneHour, 500) })
        {
            var indexes = await (await database.GetCollection<MongoDB.Bson.BsonDocument>(interval.CollectionName()).Indexes.ListAsync(TestContext.Current.CancellationToken))
                .ToListAsync(TestContext.Current.CancellationToken);
            var ttl = indexes.Single(i => i["name"] == MongoLogStore.StatsTtlIndex);
            Assert.Equal(TimeSpan.FromDays(days).TotalSeconds, ttl["expireAfterSeconds"].ToDouble());
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await new MongoClient(_connectionString).DropDatabaseAsync(MongoUrl.Create(_connectionString).DatabaseName);
        }
    }
}
