using LogMonitoring.Contracts;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>One stored event in the <c>logs</c> collection; <c>_id</c> is the event's deterministic id.</summary>
public sealed class LogDocument
{
    [BsonId]
    public required string Id { get; init; }

    [BsonElement("source_id"), BsonIgnoreIfNull]
    public string? SourceId { get; init; }

    /// <summary>Truncated to the millisecond: a BSON date holds no finer time (the rest is <see cref="TimestampTicks"/>).</summary>
    [BsonElement("timestamp")]
    public required DateTime Timestamp { get; init; }

    /// <summary>The timestamp's 100 ns ticks below the millisecond, so the event's time comes back exactly; 0 is not stored.</summary>
    [BsonElement("timestamp_ticks"), BsonIgnoreIfDefault]
    public int TimestampTicks { get; init; }

    /// <summary>Stored as its wire name (INFO, ERROR, …) so the collection reads well in any tool.</summary>
    [BsonElement("level"), BsonRepresentation(BsonType.String)]
    public required string Level { get; init; }

    [BsonElement("service")]
    public required string Service { get; init; }

    [BsonElement("message")]
    public required string Message { get; init; }

    [BsonElement("metadata"), BsonIgnoreIfNull]
    public BsonDocument? Metadata { get; init; }

    [BsonElement("host"), BsonIgnoreIfNull]
    public string? Host { get; init; }

    [BsonElement("trace_id"), BsonIgnoreIfNull]
    public string? TraceId { get; init; }

    [BsonElement("span_id"), BsonIgnoreIfNull]
    public string? SpanId { get; init; }

    [BsonElement("received_at"), BsonIgnoreIfNull]
    public DateTime? ReceivedAt { get; init; }

    [BsonElement("received_at_ticks"), BsonIgnoreIfDefault]
    public int ReceivedAtTicks { get; init; }

    /// <summary>When the persister wrote it, by its clock: the live tail's order. The rollups do not trust it.</summary>
    [BsonElement("stored_at")]
    public DateTime StoredAt { get; init; }

    /// <summary>The message case-folded, for text search (<see cref="MessageText"/>).</summary>
    [BsonElement("text_folded"), BsonIgnoreIfNull]
    public string? TextFolded { get; init; }

    /// <summary>The folded message's distinct trigrams (multikey index); null when it has too many.</summary>
    [BsonElement("text_grams"), BsonIgnoreIfNull]
    public IReadOnlyList<string>? TextGrams { get; init; }

    /// <summary>True when the message has more trigrams than are indexed: text search checks it directly.</summary>
    [BsonElement("text_long"), BsonIgnoreIfDefault]
    public bool TextLong { get; init; }

    /// <summary>
    /// Where the rollups are with this log: 0 (<see cref="MongoLogStore.Uncounted"/>) from its insert until a
    /// rollup cycle claims it, that cycle's number while the cycle counts it, then -1 (<see cref="MongoLogStore.Counted"/>).
    /// Logs at 0 or above are in a small partial index; only counted ones can expire.
    /// </summary>
    [BsonElement("rollup")]
    public long Rollup { get; init; }

    /// <summary>When MongoDB's TTL monitor deletes this log (once counted): its timestamp plus its level's retention.</summary>
    [BsonElement("expire_at")]
    public DateTime ExpireAt { get; init; }

    public static LogDocument From(LogEvent e, DateTime storedAt, DateTime expireAt)
    {
        var (folded, grams) = MessageText.Index(e.Message);
        return new()
        {
            Id = e.Id,
            SourceId = e.SourceId,
            Timestamp = e.Timestamp,
            TimestampTicks = BelowMillisecond(e.Timestamp),
            Level = e.Level.ToWireName(),
            Service = e.Service,
            Message = e.Message,
            Metadata = e.MetadataJson is null ? null : MetadataBson.ToBson(e.MetadataJson),
            Host = e.Host,
            TraceId = e.TraceId,
            SpanId = e.SpanId,
            ReceivedAt = e.ReceivedAt,
            ReceivedAtTicks = e.ReceivedAt is { } received ? BelowMillisecond(received) : 0,
            StoredAt = storedAt,
            ExpireAt = expireAt,
            Rollup = MongoLogStore.Uncounted,
            TextFolded = folded,
            TextGrams = grams,
            TextLong = grams is null,
        };
    }

    public LogEvent ToEvent() => new()
    {
        Id = Id,
        SourceId = SourceId,
        Timestamp = Exact(Timestamp, TimestampTicks),
        Level = LogEventLevels.ParseWireName(Level),
        Service = Service,
        Message = Message,
        MetadataJson = Metadata is null ? null : MetadataBson.ToJson(Metadata),
        Host = Host,
        TraceId = TraceId,
        SpanId = SpanId,
        ReceivedAt = ReceivedAt is { } r ? Exact(r, ReceivedAtTicks) : null,
    };

    private static int BelowMillisecond(DateTime time) => (int)(time.Ticks % TimeSpan.TicksPerMillisecond);

    // A BSON date read back is whole milliseconds; the stored remainder restores the exact time.
    private static DateTime Exact(DateTime milliseconds, int ticks) =>
        new(milliseconds.Ticks - (milliseconds.Ticks % TimeSpan.TicksPerMillisecond) + ticks, DateTimeKind.Utc);
}
