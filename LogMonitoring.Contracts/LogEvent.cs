namespace LogMonitoring.Contracts;

/// <summary>
/// One structured log line as it travels through the system: sent over HTTP, carried by Kafka as
/// JSON (see <see cref="LogEventJson"/>), stored once under <see cref="Id"/>.
/// </summary>
public sealed record LogEvent
{
    /// <summary>The store key: deterministic, so a redelivered or retried event is stored once.</summary>
    public required string Id { get; init; }

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
}
