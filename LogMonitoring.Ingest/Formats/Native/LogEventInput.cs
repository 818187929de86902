using System.ComponentModel;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LogMonitoring.Ingest.Formats.Native;

/// <summary>
/// The event a sender posts, as the OpenAPI document describes it. Parsing and validation are the
/// contract library's (<c>LogEventReader</c>); this type only documents the shape.
/// </summary>
[Description("A structured log event. Unknown top-level fields are kept as metadata.")]
public sealed record LogEventInput(
    [property: Description("ISO 8601 date-time; stored as UTC. Defaults to the time ingest received it.")] DateTimeOffset? Timestamp,
    [property: Description("TRACE, DEBUG, INFO, WARN, ERROR or FATAL, case-insensitive; aliases such as WARNING, ERR, CRITICAL are accepted.")] string Level,
    [property: Description("The emitting service: letters, digits and . _ - / :")] string Service,
    [property: Description("The log message.")] string Message,
    [property: Description("Structured properties; keys must not start with '$'.")] JsonObject? Metadata,
    [property: Description("The sender's idempotency key: an event sent twice with the same service and id is stored once.")] string? Id,
    [property: Description("The emitting host or instance.")] string? Host,
    [property: JsonPropertyName("trace_id"), Description("W3C trace id, 32 hex characters.")] string? TraceId,
    [property: JsonPropertyName("span_id"), Description("W3C span id, 16 hex characters.")] string? SpanId);
