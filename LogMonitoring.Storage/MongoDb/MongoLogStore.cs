using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Driver;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// The MongoDB store: collection <c>logs</c>, one document per event keyed by its deterministic id,
/// written with unordered bulk inserts in which a duplicate key means "already stored".
/// </summary>
public sealed partial class MongoLogStore : ILogStore, ILogStatistics
{
    public const string LogsCollection = "logs";
    private const int DuplicateKey = 11000;

    private readonly IMongoDatabase _database;
    private readonly RetentionOptions _retention;

    public MongoLogStore(string connectionString, RetentionOptions? retention = null)
    {
        _retention = retention ?? new RetentionOptions();
        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        settings.ApplicationName ??= "LogMonitoring";
        var client = new MongoClient(settings);
        _database = client.GetDatabase(url.DatabaseName ?? "logmonitoring");
        Logs = _database.GetCollection<LogDocument>(LogsCollection)
            .WithWriteConcern(WriteConcern.WMajority.With(journal: true));
    }

    public string Kind => "mongodb";

    internal IMongoCollection<LogDocument> Logs { get; }

    internal IMongoDatabase Database => _database;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var keys = Builders<LogDocument>.IndexKeys;
        await Logs.Indexes.CreateManyAsync(
            [
                new CreateIndexModel<LogDocument>(keys.Ascending(d => d.StoredAt),
                    new CreateIndexOptions { Name = "stored_at_1" }),
                // Retention: each document carries its own expiry (per level), so one TTL index serves every policy.
                new CreateIndexModel<LogDocument>(keys.Ascending(d => d.ExpireAt),
                    new CreateIndexOptions { Name = "expire_at_ttl", ExpireAfter = TimeSpan.Zero }),
            ],
            cancellationToken);
        await InitializeSearchAsync(cancellationToken);
        await InitializeStatisticsAsync(cancellationToken);
    }

    public async Task<LogWriteResult> WriteBatchAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return LogWriteResult.Empty;
        }

        var now = DateTime.UtcNow;
        var documents = events.Select(e => LogDocument.From(e, now, ExpiresAt(e.Level, e.Timestamp))).ToList();
        try
        {
            await Logs.InsertManyAsync(documents, new InsertManyOptions { IsOrdered = false }, cancellationToken);
            return new LogWriteResult(documents.Count, []);
        }
        catch (MongoBulkWriteException<LogDocument> ex) when (ex.WriteErrors.All(e => e.Code == DuplicateKey) && ex.WriteConcernError is null)
        {
            // Unordered: every other document was inserted; the rejected ones were stored before.
            var duplicates = ex.WriteErrors.Select(e => e.Index).Order().ToList();
            return new LogWriteResult(documents.Count - duplicates.Count, duplicates);
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
}
