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

    /// <summary>How long a write waits for the majority's acknowledgement; <c>wtimeoutMS</c> in the connection string overrides it.</summary>
    public static readonly TimeSpan DefaultWriteConcernTimeout = TimeSpan.FromSeconds(10);

    private const int DuplicateKey = 11000;

    private readonly IMongoDatabase _database;
    private readonly RetentionOptions _retention;

    public MongoLogStore(string connectionString, RetentionOptions? retention = null)
    {
        _retention = retention ?? new RetentionOptions();
        var url = MongoUrl.Create(connectionString);
        var client = new MongoClient(ClientSettings(url));
        _database = client.GetDatabase(url.DatabaseName ?? "logmonitoring");
        Logs = _database.GetCollection<LogDocument>(LogsCollection).WithWriteConcern(LogsWriteConcern(url));
    }

    /// <summary>
    /// The driver's settings as the connection string gives them (wire compression included:
    /// <c>compressors=snappy</c>, off unless asked for, see docs/operations.md), named for the server's logs.
    /// </summary>
    internal static MongoClientSettings ClientSettings(MongoUrl url)
    {
        var settings = MongoClientSettings.FromUrl(url);
        settings.ApplicationName ??= "LogMonitoring";
        return settings;
    }

    /// <summary>
    /// Logs are written with <c>w: majority</c> and journaled whatever the connection string's <c>w</c>: the
    /// persister commits the Kafka offset after this acknowledgement, and a write only the primary held could
    /// be rolled back by a failover after that. A write the majority does not acknowledge within the timeout
    /// (<c>wtimeoutMS</c>, or <see cref="DefaultWriteConcernTimeout"/>) fails, and is retried, instead of hanging.
    /// </summary>
    internal static WriteConcern LogsWriteConcern(MongoUrl url) =>
        WriteConcern.WMajority.With(journal: true, wTimeout: url.WTimeout ?? DefaultWriteConcernTimeout);

    public string Kind => "mongodb";

    /// <summary>Stamps <c>stored_at</c>; the rollups never read it to find work, so a skewed clock cannot hide a log from them.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    internal IMongoCollection<LogDocument> Logs { get; }

    internal IMongoDatabase Database => _database;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await DropIndexesAsync(ObsoleteIndexes, cancellationToken);
        await Logs.Indexes.CreateManyAsync(RollupIndexes(), cancellationToken);
        await InitializeSearchAsync(cancellationToken);
        await InitializeStatisticsAsync(cancellationToken);
    }

    public async Task<LogWriteResult> WriteBatchAsync(IReadOnlyList<LogEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return LogWriteResult.Empty;
        }

        var now = Clock.GetUtcNow().UtcDateTime;
        var batch = MapBatch(events, now);
        if (batch.Documents.Count == 0)
        {
            return new LogWriteResult(0, []) { Rejected = batch.Rejected };
        }

        try
        {
            await Logs.InsertManyAsync(batch.Documents, new InsertManyOptions { IsOrdered = false }, cancellationToken);
            return new LogWriteResult(batch.Documents.Count, []) { Rejected = batch.Rejected };
        }
        catch (MongoBulkWriteException<LogDocument> ex) when (ex.WriteConcernError is null)
        {
            // Unordered: every other document was inserted. A duplicate key was stored before; any other
            // write error belongs to that document alone (too large, refused by a validator): permanent.
            var duplicates = ex.WriteErrors.Where(e => e.Code == DuplicateKey).Select(e => batch.Positions[e.Index]).Order().ToList();
            var refused = ex.WriteErrors.Where(e => e.Code != DuplicateKey)
                .Select(e => new LogWriteRejection(batch.Positions[e.Index], $"MongoDB refused the document: {e.Code} {e.Message}"));
            return new LogWriteResult(batch.Documents.Count - ex.WriteErrors.Count, duplicates)
            {
                Rejected = [.. batch.Rejected, .. refused],
            };
        }
    }

    /// <param name="Positions">Each document's position in the batch (refused events have none).</param>
    private sealed record MappedBatch(List<LogDocument> Documents, List<int> Positions, List<LogWriteRejection> Rejected);

    // An event that cannot become a document (a value the contract should have refused) is refused alone.
    private MappedBatch MapBatch(IReadOnlyList<LogEvent> events, DateTime now)
    {
        var batch = new MappedBatch(new(events.Count), new(events.Count), []);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            try
            {
                batch.Documents.Add(LogDocument.From(e, now, ExpiresAt(e.Level, e.Timestamp)));
                batch.Positions.Add(i);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or BsonException)
            {
                batch.Rejected.Add(new LogWriteRejection(i, $"cannot be a MongoDB document: {ex.Message}"));
            }
        }

        return batch;
    }

    public Task PingAsync(CancellationToken cancellationToken) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
}
