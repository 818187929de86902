using System.Text.RegularExpressions;
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
                new CreateIndexModel<LogDocument>(keys.Descending(d => d.Timestamp).Ascending(d => d.Service),
                    new CreateIndexOptions { Name = "timestamp_-1_service_1" }),
                new CreateIndexModel<LogDocument>(keys.Ascending(d => d.Level).Descending(d => d.Timestamp),
                    new CreateIndexOptions { Name = "level_1_timestamp_-1" }),
                new CreateIndexModel<LogDocument>(keys.Ascending(d => d.Service).Descending(d => d.Timestamp),
                    new CreateIndexOptions { Name = "service_1_timestamp_-1" }),
                new CreateIndexModel<LogDocument>(keys.Ascending(d => d.StoredAt),
                    new CreateIndexOptions { Name = "stored_at_1" }),
                // Retention: each document carries its own expiry (per level), so one TTL index serves every policy.
                new CreateIndexModel<LogDocument>(keys.Ascending(d => d.ExpireAt),
                    new CreateIndexOptions { Name = "expire_at_ttl", ExpireAfter = TimeSpan.Zero }),
            ],
            cancellationToken);
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

    public async Task<LogPage> SearchAsync(LogQuery query, int limit, LogCursor? after, CancellationToken cancellationToken)
    {
        var filter = BuildFilter(query);
        if (after is not null)
        {
            var f = Builders<LogDocument>.Filter;
            filter &= f.Lt(d => d.Timestamp, after.Timestamp) |
                      (f.Eq(d => d.Timestamp, after.Timestamp) & f.Lt(d => d.Id, after.Id));
        }

        var documents = await Logs.Find(filter)
            .Sort(Builders<LogDocument>.Sort.Descending(d => d.Timestamp).Descending(d => d.Id))
            .Limit(limit + 1)
            .ToListAsync(cancellationToken);
        var items = documents.Take(limit).Select(d => d.ToEvent()).ToList();
        var next = documents.Count > limit ? new LogCursor(items[^1].Timestamp, items[^1].Id) : null;
        return new LogPage(items, next);
    }

    public Task<long> CountAsync(LogQuery query, CancellationToken cancellationToken) =>
        Logs.CountDocumentsAsync(BuildFilter(query), cancellationToken: cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);

    /// <summary>Typed filters only: query values are data, never operators.</summary>
    internal static FilterDefinition<LogDocument> BuildFilter(LogQuery query)
    {
        var f = Builders<LogDocument>.Filter;
        var filter = f.Empty;
        if (query.Service is not null)
        {
            filter &= f.Eq(d => d.Service, query.Service);
        }

        if (query.Services is { Count: > 0 } services)
        {
            filter &= f.In(d => d.Service, services);
        }

        if (query.Levels is { Count: > 0 } levels)
        {
            filter &= f.In(d => d.Level, levels.Select(l => l.ToWireName()));
        }

        if (query.Start is { } start)
        {
            filter &= f.Gte(d => d.Timestamp, start);
        }

        if (query.End is { } end)
        {
            filter &= f.Lt(d => d.Timestamp, end);
        }

        if (!string.IsNullOrEmpty(query.Text))
        {
            // Escaped: the text is matched literally, so no pattern can be slow or inject anything.
            filter &= f.Regex(d => d.Message, new BsonRegularExpression(Regex.Escape(query.Text), "i"));
        }

        return filter;
    }
}
