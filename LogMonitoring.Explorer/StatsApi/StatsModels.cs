using System.Text.Json;
using System.Text.Json.Serialization;

namespace LogMonitoring.Explorer.StatsApi;

// The stats API's answers as docs/api.md documents them: the explorer is a client like any other.

/// <summary>One stored log.</summary>
public sealed record LogItem(
    string Id,
    [property: JsonPropertyName("source_id")] string? SourceId,
    DateTime Timestamp,
    string Level,
    string Service,
    string Message,
    JsonElement? Metadata,
    string? Host,
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("span_id")] string? SpanId,
    [property: JsonPropertyName("received_at")] DateTime? ReceivedAt);

public sealed record LogPage(IReadOnlyList<LogItem> Items, string? NextCursor);

public sealed record LogCount(long Count);

public sealed record HistogramBucket(DateTime Start, long Total, IReadOnlyDictionary<string, long> Levels);

public sealed record Histogram(string Interval, DateTime Start, DateTime End, IReadOnlyList<HistogramBucket> Buckets);

public sealed record ServiceSummary(string Service, long Total, long Errors, double ErrorRate, DateTime LastSeen, IReadOnlyDictionary<string, long> Levels);

public sealed record SeriesPoint(DateTime Bucket, long Total, long Errors, double ErrorRate);

public sealed record Series(string Interval, DateTime Start, DateTime End, IReadOnlyList<SeriesPoint> Points);

/// <summary>What a stats call answered when it was not a success: the problem's title and its per-field errors.</summary>
public sealed class StatsApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public bool IsUnauthorized => Status is 401 or 403;
}
