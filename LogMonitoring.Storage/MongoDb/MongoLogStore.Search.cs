using System.Globalization;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage.Search;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Linq;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Search on MongoDB. Every newest-first page is served by an index ending in
/// <c>{timestamp: -1, _id: -1}</c>, so MongoDB never sorts in memory and the cursor condition is a
/// bounded range; text search narrows by a multikey trigram index, then checks the folded text.
/// Every query carries <c>maxTimeMS</c>.
/// </summary>
public sealed partial class MongoLogStore : ILogSearch
{
    /// <summary>
    /// How long after its <c>stored_at</c> a log is certainly visible: the live tail reads only logs older
    /// than this, so a write that finished late is still seen (the cost: this much extra latency).
    /// </summary>
    public TimeSpan TailSettle { get; init; } = TimeSpan.FromMilliseconds(500);

    private SearchOptions _search = new();

    public SearchOptions Search
    {
        get => _search;
        init
        {
            value.Validate();
            _search = value;
        }
    }

    /// <summary>The search indexes, by name; every one that serves a page ends in (timestamp, _id) descending.</summary>
    internal IReadOnlyList<CreateIndexModel<LogDocument>> SearchIndexes()
    {
        var keys = Builders<LogDocument>.IndexKeys;
        var f = Builders<LogDocument>.Filter;
        var newestFirst = keys.Descending(d => d.Timestamp).Descending(d => d.Id);
        CreateIndexModel<LogDocument> Sorted(string field, FilterDefinition<LogDocument>? partial = null) => new(
            keys.Combine(keys.Ascending(field), newestFirst),
            new CreateIndexOptions<LogDocument> { Name = $"{field}_1_timestamp_-1__id_-1", PartialFilterExpression = partial });

        List<CreateIndexModel<LogDocument>> indexes =
        [
            new(newestFirst, new CreateIndexOptions { Name = "timestamp_-1__id_-1" }),
            Sorted("service"),
            Sorted("level"),
            Sorted("host", f.Exists(d => d.Host)),
            Sorted("trace_id", f.Exists(d => d.TraceId)),
            new(keys.Ascending(d => d.TextGrams), new CreateIndexOptions { Name = "text_grams_1" }),
            new(keys.Ascending(d => d.TextLong), new CreateIndexOptions<LogDocument> { Name = "text_long_1", PartialFilterExpression = f.Eq(d => d.TextLong, true) }),
            // The live tail reads in the order logs were stored.
            new(keys.Ascending(d => d.StoredAt).Ascending(d => d.Id), new CreateIndexOptions { Name = "stored_at_1__id_1" }),
        ];
        indexes.AddRange(_search.IndexedFieldRefs().Select(field => Sorted(MongoFilter.MetadataPath(field), f.Exists(MongoFilter.MetadataPath(field)))));
        return indexes;
    }

    private Task InitializeSearchAsync(CancellationToken cancellationToken) =>
        Logs.Indexes.CreateManyAsync(SearchIndexes(), cancellationToken);

    public async Task<LogPage> SearchAsync(LogQuery query, int limit, LogCursor? after, CancellationToken cancellationToken)
    {
        var documents = await TimedAsync(() => FindPage(query, limit, after).ToListAsync(cancellationToken));
        var items = documents.Take(limit).Select(d => d.ToEvent()).ToList();
        var next = documents.Count > limit ? new LogCursor(items[^1].Timestamp, items[^1].Id) : null;
        return new LogPage(items, next);
    }

    /// <summary>The find behind one page; the contract suite explains it to check the plan.</summary>
    internal IFindFluent<LogDocument, LogDocument> FindPage(LogQuery query, int limit, LogCursor? after)
    {
        var filter = MongoFilter.Build(query);
        if (after is not null)
        {
            filter &= MongoFilter.After(after);
        }

        return Logs.Find(filter, new FindOptions { MaxTime = _search.QueryTimeout })
            .Sort(Builders<LogDocument>.Sort.Descending(d => d.Timestamp).Descending(d => d.Id))
            .Limit(limit + 1);
    }

    public Task<long> CountAsync(LogQuery query, CancellationToken cancellationToken) =>
        TimedAsync(() => Logs.CountDocumentsAsync(MongoFilter.Build(query), new CountOptions { MaxTime = _search.QueryTimeout }, cancellationToken));

    public async Task<IReadOnlyList<HistogramCount>> HistogramAsync(LogQuery query, TimeSpan interval, CancellationToken cancellationToken)
    {
        var buckets = await TimedAsync(() => Logs.Aggregate(HistogramPipeline(query, interval), new AggregateOptions { MaxTime = _search.QueryTimeout }, cancellationToken)
            .ToListAsync(cancellationToken));
        return buckets
            .Select(b => new HistogramCount(DateTime.SpecifyKind(b.Bucket, DateTimeKind.Utc), LogEventLevels.ParseWireName(b.Level), b.Count))
            .OrderBy(b => b.Bucket).ThenBy(b => b.Level)
            .ToList();
    }

    internal sealed record HistogramRow(DateTime Bucket, string Level, long Count);

    /// <summary>
    /// Buckets by <c>$dateTrunc</c> in whole seconds: MongoDB aligns them on 2000-01-01, which agrees with
    /// SQLite's alignment on 0001-01-01 for every interval that divides a day (the API allows only those).
    /// </summary>
    internal static PipelineDefinition<LogDocument, HistogramRow> HistogramPipeline(LogQuery query, TimeSpan interval)
    {
        var seconds = (long)interval.TotalSeconds;
        return new EmptyPipelineDefinition<LogDocument>()
            .Match(MongoFilter.Build(query))
            .Group(d => new { Bucket = d.Timestamp.Truncate(DateTimeUnit.Second, seconds), d.Level }, g => new HistogramRow(g.Key.Bucket, g.Key.Level, g.LongCount()));
    }

    public async Task<IReadOnlyList<FieldCount>> TopAsync(LogQuery query, FieldRef field, int limit, CancellationToken cancellationToken)
    {
        var rows = await TimedAsync(() => Logs.Aggregate(TopPipeline(query, field, limit), new AggregateOptions { MaxTime = _search.QueryTimeout }, cancellationToken)
            .ToListAsync(cancellationToken));
        return rows.Select(r => new FieldCount(DotNetValue(r["_id"]), r["count"].ToInt64())).ToList();
    }

    /// <summary>Single values only (no arrays, objects or nulls), most frequent first, ties by value.</summary>
    internal static PipelineDefinition<LogDocument, BsonDocument> TopPipeline(LogQuery query, FieldRef field, int limit)
    {
        var f = Builders<LogDocument>.Filter;
        var path = field.Field == LogField.Metadata ? MongoFilter.MetadataPath(field) : MongoFilter.ColumnName(field.Field);
        if (field.Field is LogField.Timestamp or LogField.Message or LogField.Id)
        {
            throw new ArgumentException($"Counting by {field.Name} is not supported.", nameof(field));
        }

        var value = new StringFieldDefinition<LogDocument, BsonValue>(path);
        var single = f.Exists(value) & f.Ne(value, BsonNull.Value) & f.Not(f.Type(value, BsonType.Array)) & f.Not(f.Type(value, BsonType.Document));
        return new EmptyPipelineDefinition<LogDocument>()
            .Match(MongoFilter.Build(query) & single)
            .AppendStage<LogDocument, LogDocument, BsonDocument>(new BsonDocument("$group", new BsonDocument
            {
                // A validated path (letters, digits, _ and - between dots): a field reference, never an operator.
                { "_id", "$" + path },
                { "count", new BsonDocument("$sum", 1) },
            }))
            .Sort(new BsonDocument { { "count", -1 }, { "_id", 1 } })
            .Limit(limit);
    }

    private static object DotNetValue(BsonValue value) => value.BsonType switch
    {
        BsonType.String => value.AsString,
        BsonType.Int32 or BsonType.Int64 => value.ToInt64(),
        BsonType.Double => value.AsDouble,
        BsonType.Boolean => value.AsBoolean,
        BsonType.Decimal128 => (double)value.AsDecimal128,
        _ => value.ToString()!,
    };

    public Task<TailPosition> TailEndAsync(CancellationToken cancellationToken) =>
        Task.FromResult(StoredPosition(Milliseconds(DateTime.UtcNow - TailSettle), ""));

    public async Task<TailPage> TailAsync(LogQuery query, TailPosition after, int limit, CancellationToken cancellationToken)
    {
        var (storedAt, id) = ReadPosition(after);
        var upTo = Milliseconds(DateTime.UtcNow - TailSettle);
        var documents = await TimedAsync(() => TailFind(query, storedAt, id, upTo, limit).ToListAsync(cancellationToken));
        var items = documents.Select(d => new TailItem(d.ToEvent(), StoredPosition(DateTime.SpecifyKind(d.StoredAt, DateTimeKind.Utc), d.Id))).ToList();
        // After every id stored at upTo ("\uffff" sorts above the ids, which are ASCII).
        var position = documents.Count == limit ? items[^1].Position
            : upTo > storedAt ? StoredPosition(upTo, "\uffff") : after;
        return new TailPage(items, position);
    }

    /// <summary>Logs stored after (storedAt, id) and no later than upTo, in the order they were stored.</summary>
    internal IFindFluent<LogDocument, LogDocument> TailFind(LogQuery query, DateTime storedAt, string id, DateTime upTo, int limit)
    {
        var f = Builders<LogDocument>.Filter;
        var filter = MongoFilter.Build(query) &
                     (f.Gt(d => d.StoredAt, storedAt) | (f.Eq(d => d.StoredAt, storedAt) & f.Gt(d => d.Id, id))) &
                     f.Lte(d => d.StoredAt, upTo);
        return Logs.Find(filter, new FindOptions { MaxTime = _search.QueryTimeout })
            .Sort(Builders<LogDocument>.Sort.Ascending(d => d.StoredAt).Ascending(d => d.Id))
            .Limit(limit);
    }

    private static DateTime Milliseconds(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private static TailPosition StoredPosition(DateTime storedAt, string id) =>
        new("m" + storedAt.Ticks.ToString(CultureInfo.InvariantCulture) + ":" + id);

    private static (DateTime StoredAt, string Id) ReadPosition(TailPosition position)
    {
        var token = position.Token;
        var colon = token.IndexOf(':');
        if (!token.StartsWith('m') || colon < 0 ||
            !long.TryParse(token.AsSpan(1, colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ||
            ticks > DateTime.MaxValue.Ticks)
        {
            throw new FormatException("Not a tail position of this store.");
        }

        return (new DateTime(ticks, DateTimeKind.Utc), token[(colon + 1)..]);
    }

    private async Task<T> TimedAsync<T>(Func<Task<T>> query)
    {
        try
        {
            return await query();
        }
        catch (MongoExecutionTimeoutException ex)
        {
            throw new LogSearchTimeoutException(_search.QueryTimeout, ex);
        }
    }
}
