using System.Text.Json;

namespace LogMonitoring.Ingest.Formats.Elastic;

/// <summary>
/// Elasticsearch's answers: the bulk response (<c>took</c>, <c>errors</c>, one item per action with its
/// status), the error object of a refused request, and the product header its clients check.
/// </summary>
public static class ElasticBulkAnswers
{
    public const string ProductHeader = "X-Elastic-Product";
    public const string ProductName = "Elasticsearch";

    /// <summary>The version reported to clients that ask (<c>GET /</c>); 8.x makes them use typeless bulk requests.</summary>
    public const string CompatibleVersion = "8.11.0";

    public static void WriteBulkResponse(Utf8JsonWriter json, long tookMilliseconds, IReadOnlyList<BulkItemResult> items)
    {
        json.WriteStartObject();
        json.WriteNumber("took", tookMilliseconds);
        json.WriteBoolean("errors", items.Any(i => i.Status >= 300));
        json.WriteStartArray("items");
        foreach (var item in items)
        {
            json.WriteStartObject();
            json.WriteStartObject(item.Action);
            json.WriteString("_index", item.Index);
            if (item.Id is not null)
            {
                json.WriteString("_id", item.Id);
            }

            json.WriteNumber("status", item.Status);
            if (item.ErrorType is null)
            {
                json.WriteNumber("_version", 1);
                json.WriteString("result", "created");
                json.WriteStartObject("_shards");
                json.WriteNumber("total", 1);
                json.WriteNumber("successful", 1);
                json.WriteNumber("failed", 0);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject("error");
                json.WriteString("type", item.ErrorType);
                json.WriteString("reason", item.ErrorReason);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static object Error(int status, string reason)
    {
        var type = status switch
        {
            StatusCodes.Status429TooManyRequests => "es_rejected_execution_exception",
            StatusCodes.Status503ServiceUnavailable => "unavailable_shards_exception",
            StatusCodes.Status413PayloadTooLarge => "content_too_long_exception",
            StatusCodes.Status415UnsupportedMediaType => "media_type_header_exception",
            _ => "illegal_argument_exception",
        };
        var cause = new Dictionary<string, object> { ["type"] = type, ["reason"] = reason };
        return new Dictionary<string, object>
        {
            ["error"] = new Dictionary<string, object> { ["root_cause"] = new[] { cause }, ["type"] = type, ["reason"] = reason },
            ["status"] = status,
        };
    }

    public static object ClusterInfo() => new Dictionary<string, object>
    {
        ["name"] = "logmonitoring-ingest",
        ["cluster_name"] = "logmonitoring",
        ["version"] = new Dictionary<string, object>
        {
            ["number"] = CompatibleVersion,
            ["build_flavor"] = "default",
            ["minimum_wire_compatibility_version"] = "7.17.0",
            ["minimum_index_compatibility_version"] = "7.0.0",
        },
        ["tagline"] = "LogMonitoring ingest speaks the bulk API; it is not a search engine.",
    };
}
