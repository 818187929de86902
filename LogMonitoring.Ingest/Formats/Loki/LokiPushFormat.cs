using System.Text.Json;
using Google.Protobuf;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Loki;

/// <summary>
/// Loki's push API (<c>POST /loki/api/v1/push</c>) as Promtail, Grafana Alloy, Fluent Bit's loki output and
/// the Loki clients send it: snappy-compressed protobuf, or JSON. A stream's labels pick the service
/// (<c>service_name</c>, <c>service</c>, <c>app</c>, … <c>job</c>), the host and the level; all labels are kept
/// in metadata under <c>labels</c>, and each entry's structured metadata as top-level metadata.
/// </summary>
public static class LokiPushFormat
{
    public const string ProtobufMediaType = "application/x-protobuf";

    // The order in which Loki itself looks for a service name, shortened to the labels shippers set.
    private static readonly string[] s_serviceLabels =
        ["service_name", "service", "app", "application", "app_kubernetes_io_name", "container", "container_name", "component", "job"];

    private static readonly string[] s_hostLabels = ["host", "hostname", "host_name", "node_name", "nodename"];
    private static readonly string[] s_levelLabels = ["level", "detected_level", "severity", "lvl", "loglevel"];
    private static readonly string[] s_traceLabels = ["trace_id", "traceid", "traceID", "traceId"];
    private static readonly string[] s_spanLabels = ["span_id", "spanid", "spanID", "spanId"];

    /// <summary>Decompresses (snappy block format) and parses a protobuf push; the decompressed size obeys the body limit.</summary>
    public static PushRequest ParseProtobuf(ReadOnlySpan<byte> snappyBody, long maxBytes)
    {
        byte[] decompressed;
        try
        {
            var length = Snappier.Snappy.GetUncompressedLength(snappyBody);
            if (length > maxBytes)
            {
                throw new IngestBodyException(LogEventErrorCodes.TooLarge, "body",
                    $"is {length} bytes after snappy decompression, over the limit of {maxBytes} ({nameof(LogLimits.MaxBodyBytes)})");
            }

            decompressed = new byte[length];
            Snappier.Snappy.Decompress(snappyBody, decompressed);
        }
        catch (InvalidDataException ex)
        {
            throw new IngestBodyException(RequestErrorCodes.InvalidBody, "body", $"is not snappy-compressed protobuf: {ex.Message}");
        }

        try
        {
            return PushRequest.Parser.ParseFrom(decompressed);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new IngestBodyException(RequestErrorCodes.InvalidBody, "body", $"is not a Loki PushRequest in protobuf: {ex.Message}");
        }
    }

    public static void Read(PushRequest request, string? defaultService, LogEventBatchBuilder events)
    {
        foreach (var stream in request.Streams)
        {
            var labels = LokiLabels.Parse(stream.Labels);
            foreach (var entry in stream.Entries)
            {
                var time = entry.Timestamp is { } t
                    ? DateTime.UnixEpoch.AddSeconds(t.Seconds).AddTicks(t.Nanos / 100)
                    : (DateTime?)null;
                var structured = entry.StructuredMetadata.Select(p => KeyValuePair.Create(p.Name, p.Value)).ToList();
                Write(labels, time, entry.Line, structured, defaultService, events);
            }
        }
    }

    public static void ReadJson(ReadOnlyMemory<byte> body, string? defaultService, LogEventBatchBuilder events)
    {
        using var document = ShipperJson.ParseBody(body);
        if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array)
        {
            throw new IngestBodyException(LogEventErrorCodes.Required, "streams", "is required: an array of {\"stream\": {labels}, \"values\": [[\"<unix ns>\", \"<line>\"]]}");
        }

        foreach (var stream in streams.EnumerateArray())
        {
            var labels = new List<KeyValuePair<string, string>>();
            if (stream.TryGetProperty("stream", out var labelObject) && labelObject.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in labelObject.EnumerateObject())
                {
                    labels.Add(KeyValuePair.Create(label.Name, label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : label.Value.GetRawText()));
                }
            }

            if (!stream.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
            {
                throw new IngestBodyException(LogEventErrorCodes.WrongType, "values", "each stream needs an array of [\"<unix ns>\", \"<line>\"] pairs");
            }

            foreach (var value in values.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() < 2 ||
                    value[0].ValueKind != JsonValueKind.String || value[1].ValueKind != JsonValueKind.String)
                {
                    events.Reject(new LogEventError(LogEventErrorCodes.WrongType, "values", "each entry must be [\"<unix epoch nanoseconds>\", \"<log line>\"] or add {structured metadata}"));
                    continue;
                }

                var time = ShipperFields.FromUnixNanosecondsText(value[0].GetString());
                if (time is null)
                {
                    events.Reject(new LogEventError(LogEventErrorCodes.InvalidTimestamp, "values", $"'{TextPreview.Of(value[0].GetString())}' is not a timestamp in nanoseconds since the epoch"));
                    continue;
                }

                var structured = new List<KeyValuePair<string, string>>();
                if (value.GetArrayLength() > 2 && value[2].ValueKind == JsonValueKind.Object)
                {
                    foreach (var pair in value[2].EnumerateObject())
                    {
                        structured.Add(KeyValuePair.Create(pair.Name, pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString()! : pair.Value.GetRawText()));
                    }
                }

                Write(labels, time, value[1].GetString()!, structured, defaultService, events);
            }
        }
    }

    private static void Write(
        IReadOnlyList<KeyValuePair<string, string>> labels,
        DateTime? time,
        string line,
        IReadOnlyList<KeyValuePair<string, string>> structured,
        string? defaultService,
        LogEventBatchBuilder events)
    {
        string? Lookup(string name)
        {
            foreach (var pair in structured)
            {
                if (pair.Key == name)
                {
                    return pair.Value;
                }
            }

            foreach (var pair in labels)
            {
                if (pair.Key == name)
                {
                    return pair.Value;
                }
            }

            return null;
        }

        events.Begin();
        events.WriteService(ShipperFields.FirstOf(Lookup, s_serviceLabels) ?? defaultService);
        events.WriteString("host", ShipperFields.FirstOf(Lookup, s_hostLabels));
        if (time is { } t)
        {
            events.WriteTimestamp(t);
        }

        var level = ShipperFields.FirstOf(Lookup, s_levelLabels);
        if (level is not null && LogEventLevels.TryParse(level, out var parsed))
        {
            events.WriteLevel(parsed);
        }
        else
        {
            // Like Loki's detected_level: a level named in the line itself, otherwise INFO.
            events.WriteLevel(LevelInLine.Find(line) ?? LogEventLevel.Info);
        }

        events.WriteString("message", line);
        events.WriteString("trace_id", ShipperFields.HexId(ShipperFields.FirstOf(Lookup, s_traceLabels), 32));
        events.WriteString("span_id", ShipperFields.HexId(ShipperFields.FirstOf(Lookup, s_spanLabels), 16));

        events.BeginMetadata();
        var json = events.Json;
        if (labels.Count > 0)
        {
            json.WriteStartObject(events.MetadataKey("labels"));
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var label in labels)
            {
                json.WriteString(LogEventBatchBuilder.UniqueKey(written, label.Key), label.Value);
            }

            json.WriteEndObject();
        }

        foreach (var pair in structured)
        {
            json.WriteString(events.MetadataKey(pair.Key), pair.Value);
        }

        events.Complete();
    }
}
