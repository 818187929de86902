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

    [BsonElement("timestamp")]
    public required DateTime Timestamp { get; init; }

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

    /// <summary>When the persister wrote it; the rollups find new work by this field.</summary>
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

    /// <summary>When MongoDB's TTL monitor deletes this log: its timestamp plus its level's retention.</summary>
    [BsonElement("expire_at")]
    public DateTime ExpireAt { get; init; }

    public static LogDocument From(LogEvent e, DateTime storedAt, DateTime expireAt) => new()
    {
        Id = e.Id,
        SourceId = e.SourceId,
        Timestamp = e.Timestamp,
        Level = e.Level.ToWireName(),
        Service = e.Service,
        Message = e.Message,
        Metadata = e.MetadataJson is null ? null : BsonDocument.Parse(e.MetadataJson),
        Host = e.Host,
        TraceId = e.TraceId,
        SpanId = e.SpanId,
        ReceivedAt = e.ReceivedAt,
        StoredAt = storedAt,
        ExpireAt = expireAt,
        TextFolded = MessageText.Fold(e.Message),
        TextGrams = MessageText.Grams(e.Message),
        TextLong = MessageText.IsLong(e.Message),
    };

    public LogEvent ToEvent() => new()
    {
        Id = Id,
        SourceId = SourceId,
        Timestamp = DateTime.SpecifyKind(Timestamp, DateTimeKind.Utc),
        Level = LogEventLevels.ParseWireName(Level),
        Service = Service,
        Message = Message,
        MetadataJson = Metadata?.ToJson(new MongoDB.Bson.IO.JsonWriterSettings { OutputMode = MongoDB.Bson.IO.JsonOutputMode.RelaxedExtendedJson }),
        Host = Host,
        TraceId = TraceId,
        SpanId = SpanId,
        ReceivedAt = ReceivedAt is { } r ? DateTime.SpecifyKind(r, DateTimeKind.Utc) : null,
    };
}
