using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Otlp;

/// <summary>
/// OTLP/HTTP logs (<c>POST /v1/logs</c>) in protobuf or JSON. The resource's <c>service.name</c> becomes the
/// service and <c>host.name</c> the host; severity the level; the body the message (a message template is
/// rendered with the record's attributes); attributes become metadata, with the rest of the resource under
/// <c>resource</c> and the instrumentation scope's name under <c>scope</c>; trace and span ids are kept.
/// </summary>
public static class OtlpLogsFormat
{
    public const string ProtobufMediaType = "application/x-protobuf";
    public const string JsonMediaType = "application/json";

    // Microsoft.Extensions.Logging's name for the template of a formatted message.
    private const string OriginalFormat = "{OriginalFormat}";

    public static ExportLogsServiceRequest ParseProtobuf(ReadOnlyMemory<byte> body)
    {
        try
        {
            return ExportLogsServiceRequest.Parser.ParseFrom(body.Span);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new IngestBodyException(RequestErrorCodes.InvalidBody, "body", $"is not an OTLP ExportLogsServiceRequest in protobuf: {ex.Message}");
        }
    }

    public static void Read(ExportLogsServiceRequest request, string? defaultService, LogEventBatchBuilder events)
    {
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = resourceLogs.Resource?.Attributes ?? [];
            var service = StringAttribute(resource, "service.name") ?? defaultService;
            var host = StringAttribute(resource, "host.name");
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    Write(record, service, host, resource, scopeLogs.Scope, events);
                }
            }
        }
    }

    private static void Write(LogRecord record, string? service, string? host, IReadOnlyList<KeyValue> resource,
        InstrumentationScope? scope, LogEventBatchBuilder events)
    {
        events.Begin();
        events.WriteService(service);
        events.WriteString("host", host);

        var nanoseconds = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
        if (nanoseconds != 0)
        {
            events.WriteTimestamp(ShipperFields.FromUnixNanoseconds(nanoseconds));
        }

        if (ShipperFields.FromOtelSeverity(record.SeverityNumber) is { } level)
        {
            events.WriteLevel(level);
        }
        else if (!string.IsNullOrEmpty(record.SeverityText))
        {
            events.WriteLevel(record.SeverityText);
        }
        else
        {
            // The data model's default for a record without severity is INFO's range.
            events.WriteLevel(LogEventLevel.Info);
        }

        var template = record.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue
            ? record.Body.StringValue
            : StringAttribute(record.Attributes, OriginalFormat);
        string? message;
        if (template is not null)
        {
            message = MessageTemplate.Render(template, hole => FindAttribute(record.Attributes, hole.Name) is { } value ? RenderText(value, hole.Format) : null);
        }
        else if (record.Body is { ValueCase: not AnyValue.ValueOneofCase.None } body)
        {
            message = RenderText(body, null);
        }
        else
        {
            message = string.IsNullOrEmpty(record.EventName) ? null : record.EventName;
        }

        events.WriteString("message", message);
        events.WriteString("trace_id", ShipperFields.HexId(record.TraceId.Span, 16));
        events.WriteString("span_id", ShipperFields.HexId(record.SpanId.Span, 8));

        events.BeginMetadata();
        var json = events.Json;
        foreach (var attribute in record.Attributes)
        {
            if (attribute.Key == OriginalFormat)
            {
                continue;
            }

            json.WritePropertyName(events.MetadataKey(attribute.Key));
            WriteValue(json, attribute.Value);
        }

        if (template is not null && !string.Equals(template, message, StringComparison.Ordinal))
        {
            json.WriteString(events.MetadataKey("message_template"), template);
        }

        if (!string.IsNullOrEmpty(record.EventName))
        {
            json.WriteString(events.MetadataKey("event_name"), record.EventName);
        }

        if (scope is { Name.Length: > 0 })
        {
            json.WriteString(events.MetadataKey("scope"), scope.Name);
        }

        var resourceKeys = new HashSet<string>(StringComparer.Ordinal);
        var wroteResource = false;
        foreach (var attribute in resource)
        {
            if (attribute.Key is "service.name" or "host.name")
            {
                continue;
            }

            if (!wroteResource)
            {
                json.WriteStartObject(events.MetadataKey("resource"));
                wroteResource = true;
            }

            json.WritePropertyName(LogEventBatchBuilder.UniqueKey(resourceKeys, attribute.Key));
            WriteValue(json, attribute.Value);
        }

        if (wroteResource)
        {
            json.WriteEndObject();
        }

        events.Complete();
    }

    private static AnyValue? FindAttribute(IReadOnlyList<KeyValue> attributes, string key)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value;
            }
        }

        return null;
    }

    private static string? StringAttribute(IReadOnlyList<KeyValue> attributes, string key) =>
        FindAttribute(attributes, key) is { ValueCase: AnyValue.ValueOneofCase.StringValue } value ? value.StringValue : null;

    /// <summary>The text of a value inside a message: what Microsoft.Extensions.Logging would have printed.</summary>
    private static string RenderText(AnyValue value, string? format)
    {
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                return value.StringValue;
            case AnyValue.ValueOneofCase.BoolValue:
                return value.BoolValue ? "True" : "False";
            case AnyValue.ValueOneofCase.IntValue:
                return TryFormat(value.IntValue, format) ?? value.IntValue.ToString(CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.DoubleValue:
                return TryFormat(value.DoubleValue, format) ?? value.DoubleValue.ToString("R", CultureInfo.InvariantCulture);
            case AnyValue.ValueOneofCase.BytesValue:
                return value.BytesValue.ToBase64();
            default:
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    WriteValue(writer, value);
                }

                return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }

    private static string? TryFormat<T>(T number, string? format)
        where T : IFormattable
    {
        if (format is null)
        {
            return null;
        }

        try
        {
            return number.ToString(format, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>An OTLP value as plain JSON: arrays as arrays, key-value lists as objects, bytes as base64.</summary>
    public static void WriteValue(Utf8JsonWriter json, AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                json.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                json.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                json.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                if (double.IsFinite(value.DoubleValue))
                {
                    json.WriteNumberValue(value.DoubleValue);
                }
                else
                {
                    json.WriteStringValue(value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case AnyValue.ValueOneofCase.BytesValue:
                json.WriteBase64StringValue(value.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                json.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    WriteValue(json, item);
                }

                json.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                json.WriteStartObject();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pair in value.KvlistValue.Values)
                {
                    json.WritePropertyName(LogEventBatchBuilder.UniqueKey(keys, pair.Key));
                    WriteValue(json, pair.Value);
                }

                json.WriteEndObject();
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }
}
