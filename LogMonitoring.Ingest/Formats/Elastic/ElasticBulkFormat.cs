using System.Globalization;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Formats.Elastic;

/// <summary>One action of a bulk request and how it ended, for the per-item answer.</summary>
public sealed record BulkItemResult(string Action, string Index, string? Id, int Status, string? ErrorType = null, string? ErrorReason = null);

/// <summary>
/// Elasticsearch's bulk API (<c>POST /_bulk</c>, <c>POST /{index}/_bulk</c>) as Fluent Bit, Vector, Filebeat
/// and Logstash send it: NDJSON action/source pairs. <c>index</c> and <c>create</c> become events (an action's
/// <c>_id</c> becomes the event's id, so a retried bulk request stores nothing twice); <c>update</c> and
/// <c>delete</c> are answered per item with 400, since stored logs never change.
/// </summary>
public static class ElasticBulkFormat
{
    private static readonly string[] s_timestampFields = ["@timestamp", "timestamp", "time", "date", "ts"];
    private static readonly string[] s_messageFields = ["message", "log", "msg", "short_message", "event.original"];
    private static readonly string[] s_levelFields = ["level", "log.level", "severity", "lvl", "loglevel", "levelname"];
    private static readonly string[] s_serviceFields =
        ["service", "service.name", "service_name", "app", "application", "kubernetes.labels.app", "kubernetes.container_name", "container_name"];

    private static readonly string[] s_hostFields = ["host", "host.name", "host.hostname", "hostname", "kubernetes.host"];
    private static readonly string[] s_traceFields = ["trace_id", "trace.id", "traceId"];
    private static readonly string[] s_spanFields = ["span_id", "span.id", "spanId"];

    public static List<BulkItemResult> Read(ReadOnlyMemory<byte> body, string? urlIndex, string? defaultService, ShipperEventWriter events)
    {
        ShipperJson.RequireUtf8(body);
        var items = new List<BulkItemResult>();
        using var lines = ShipperJson.Lines(body).GetEnumerator();
        while (lines.MoveNext())
        {
            var (number, actionLine) = lines.Current;
            var (action, index, id) = ReadAction(actionLine, number, urlIndex);
            if (action == "delete")
            {
                items.Add(new BulkItemResult(action, index, id, StatusCodes.Status400BadRequest,
                    "illegal_argument_exception", "stored log events cannot be deleted"));
                events.Reject(new LogEventError(LogEventErrorCodes.Unsupported, $"line {number}", "delete is not supported"));
                continue;
            }

            if (!lines.MoveNext())
            {
                throw new ShipperBodyException("body", $"the {action} action on line {number} has no source line after it");
            }

            var (sourceNumber, sourceLine) = lines.Current;
            if (action == "update")
            {
                items.Add(new BulkItemResult(action, index, id, StatusCodes.Status400BadRequest,
                    "illegal_argument_exception", "stored log events cannot be updated"));
                events.Reject(new LogEventError(LogEventErrorCodes.Unsupported, $"line {number}", "update is not supported"));
                continue;
            }

            using var document = ShipperJson.TryParse(sourceLine, out var error);
            if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
            {
                var problem = new LogEventError(error is null ? LogEventErrorCodes.WrongType : LogEventErrorCodes.NotJson,
                    $"line {sourceNumber}", error ?? "the source must be a JSON object");
                items.Add(new BulkItemResult(action, index, id, StatusCodes.Status400BadRequest, "mapper_parsing_exception", problem.ToString()));
                events.Reject(problem);
                continue;
            }

            var logEvent = Write(document.RootElement, id, defaultService ?? index, events);
            items.Add(logEvent is not null
                ? new BulkItemResult(action, index, logEvent.SourceId, StatusCodes.Status201Created)
                : new BulkItemResult(action, index, id, StatusCodes.Status400BadRequest, "mapper_parsing_exception",
                    string.Join("; ", events.Batch.Rejected[^1].Errors)));
        }

        if (items.Count == 0)
        {
            throw new ShipperBodyException("body", "request body is required: NDJSON action and source lines");
        }

        return items;
    }

    /// <summary>Reads an action line; a malformed one fails the whole request, as in Elasticsearch.</summary>
    private static (string Action, string Index, string? Id) ReadAction(ReadOnlyMemory<byte> line, int number, string? urlIndex)
    {
        using var document = ShipperJson.TryParse(line, out var error);
        var root = document?.RootElement;
        if (root is not { ValueKind: JsonValueKind.Object } action || action.GetPropertyCount() != 1)
        {
            throw new ShipperBodyException("body", $"Malformed action/metadata line [{number}], expected an object with one of index, create, update or delete{(error is null ? "" : $": {error}")}");
        }

        var property = action.EnumerateObject().First();
        if (property.Name is not ("index" or "create" or "update" or "delete") || property.Value.ValueKind != JsonValueKind.Object)
        {
            throw new ShipperBodyException("body", $"Malformed action/metadata line [{number}], '{property.Name}' is not index, create, update or delete");
        }

        var index = property.Value.GetString("_index") ?? urlIndex ?? "logs";
        return (property.Name, index, property.Value.GetString("_id"));
    }

    private static LogEvent? Write(JsonElement source, string? id, string? defaultService, ShipperEventWriter events)
    {
        events.Begin();
        events.WriteString("id", id);
        events.WriteService(ShipperFields.FirstOf(name => source.GetPath(name), s_serviceFields) ?? defaultService);
        events.WriteString("host", ShipperFields.FirstOf(name => source.GetPath(name), s_hostFields));

        var used = new HashSet<string>(StringComparer.Ordinal);
        if (Timestamp(source, used) is { } timestamp)
        {
            events.WriteString("timestamp", timestamp);
        }

        var message = FirstField(source, s_messageFields, used);
        events.WriteString("message", message);

        var levelText = source.GetPath("level") ?? FirstPath(source, s_levelFields);
        if (levelText is not null && LogEventLevels.TryParse(levelText, out var level))
        {
            if (source.GetString("level") is not null)
            {
                used.Add("level");
            }

            events.WriteLevel(level);
        }
        else
        {
            events.WriteLevel((message is null ? null : LevelInLine.Find(message)) ?? LogEventLevel.Info);
        }

        events.WriteString("trace_id", ShipperFields.HexId(FirstPath(source, s_traceFields), 32));
        events.WriteString("span_id", ShipperFields.HexId(FirstPath(source, s_spanFields), 16));

        events.BeginMetadata();
        foreach (var property in source.EnumerateObject())
        {
            if (!used.Contains(property.Name))
            {
                events.WriteMetadata(property.Name, property.Value);
            }
        }

        return events.Complete();
    }

    private static string? Timestamp(JsonElement source, HashSet<string> used)
    {
        foreach (var name in s_timestampFields)
        {
            if (!source.TryGetProperty(name, out var value))
            {
                continue;
            }

            used.Add(name);
            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            // Epoch numbers: milliseconds (Elasticsearch's default for numbers), or seconds when small.
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
            {
                var seconds = number > 100_000_000_000 ? number / 1000 : number;
                return ShipperFields.FromUnixSeconds(seconds)?.ToString("O", CultureInfo.InvariantCulture) ?? value.GetRawText();
            }

            return value.GetRawText();
        }

        return null;
    }

    private static string? FirstField(JsonElement source, string[] names, HashSet<string> used)
    {
        foreach (var name in names)
        {
            if (source.GetString(name) is { Length: > 0 } value)
            {
                used.Add(name);
                return value;
            }
        }

        return FirstPath(source, names);
    }

    private static string? FirstPath(JsonElement source, string[] names) => ShipperFields.FirstOf(name => source.GetPath(name), names);
}
