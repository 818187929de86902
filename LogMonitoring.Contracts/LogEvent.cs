using System.Diagnostics.CodeAnalysis;

namespace LogMonitoring.Contracts;

/// <summary>
/// One structured log line as it travels through the system: sent over HTTP, carried by Kafka as
/// JSON (see <see cref="LogEventJson"/>), stored once under <see cref="Id"/>.
/// </summary>
public sealed record LogEvent
{
    private readonly string? _id;

    /// <summary>
    /// The store key: deterministic, so a redelivered or retried event is stored once. When not given, it is
    /// derived from <see cref="Service"/> and <see cref="SourceId"/> where it is read: ingest never reads it
    /// (the topic carries the source id, from which the persister derives it), and it costs a SHA-1 per event.
    /// Set to null, it is derived too.
    /// </summary>
    [AllowNull]
    public string Id
    {
        get => _id ?? (SourceId is { } source
            ? LogEventId.ForSource(Service, source)
            : throw new InvalidOperationException("An event without a source id needs its store id set."));
        init => _id = value;
    }

    /// <summary>The id the event travelled with: the sender's idempotency key, or one ingest assigned.</summary>
    public string? SourceId { get; init; }

    /// <summary>When the event happened, always UTC.</summary>
    public required DateTime Timestamp { get; init; }

    public required LogEventLevel Level { get; init; }

    public required string Service { get; init; }

    public required string Message { get; init; }

    /// <summary>The metadata object as JSON text, or null when the event had none.</summary>
    public string? MetadataJson { get; init; }

    public string? Host { get; init; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    /// <summary>When ingest accepted the event (UTC); null for events produced to Kafka directly.</summary>
    public DateTime? ReceivedAt { get; init; }

    // By value, as a record compares, but by the store id rather than the field behind it: an event whose id was
    // derived equals the same event whose id was given.
    public bool Equals(LogEvent? other) =>
        other is not null &&
        Id == other.Id && SourceId == other.SourceId && Timestamp == other.Timestamp && Level == other.Level &&
        Service == other.Service && Message == other.Message && MetadataJson == other.MetadataJson &&
        Host == other.Host && TraceId == other.TraceId && SpanId == other.SpanId && ReceivedAt == other.ReceivedAt;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Id);
        hash.Add(SourceId);
        hash.Add(Timestamp);
        hash.Add(Level);
        hash.Add(Service);
        hash.Add(Message);
        hash.Add(MetadataJson);
        hash.Add(Host);
        hash.Add(TraceId);
        hash.Add(SpanId);
        hash.Add(ReceivedAt);
        return hash.ToHashCode();
    }
}
