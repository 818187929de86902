using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Otlp;

/// <summary>
/// Reads OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions: trace and span ids in hex, enums
/// as integers) into the same messages the protobuf parser produces. Field names are accepted in
/// lowerCamelCase and in the proto's snake_case; unknown fields are ignored, as the specification asks.
/// </summary>
public static class OtlpJsonReader
{
    public static ExportLogsServiceRequest Parse(ReadOnlyMemory<byte> body)
    {
        using var document = ShipperJson.ParseBody(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("body", "must be a JSON object with resourceLogs");
        }

        var request = new ExportLogsServiceRequest();
        foreach (var resourceLogs in Array(root, "resourceLogs", "resource_logs"))
        {
            var item = new ResourceLogs();
            if (Object(resourceLogs, "resource") is { } resource)
            {
                item.Resource = new Resource();
                item.Resource.Attributes.AddRange(Attributes(resource));
            }

            foreach (var scopeLogs in Array(resourceLogs, "scopeLogs", "scope_logs"))
            {
                var scopeItem = new ScopeLogs();
                if (Object(scopeLogs, "scope") is { } scope)
                {
                    scopeItem.Scope = new InstrumentationScope
                    {
                        Name = scope.GetString("name") ?? "",
                        Version = scope.GetString("version") ?? "",
                    };
                    scopeItem.Scope.Attributes.AddRange(Attributes(scope));
                }

                foreach (var record in Array(scopeLogs, "logRecords", "log_records"))
                {
                    scopeItem.LogRecords.Add(ReadRecord(record));
                }

                item.ScopeLogs.Add(scopeItem);
            }

            request.ResourceLogs.Add(item);
        }

        return request;
    }

    private static LogRecord ReadRecord(JsonElement record)
    {
        var result = new LogRecord
        {
            TimeUnixNano = UInt64(record, "timeUnixNano", "time_unix_nano"),
            ObservedTimeUnixNano = UInt64(record, "observedTimeUnixNano", "observed_time_unix_nano"),
            SeverityNumber = Severity(record),
            SeverityText = String(record, "severityText", "severity_text") ?? "",
            EventName = String(record, "eventName", "event_name") ?? "",
            TraceId = HexBytes(record, "traceId", "trace_id", 16),
            SpanId = HexBytes(record, "spanId", "span_id", 8),
        };
        if (Object(record, "body") is { } body)
        {
            result.Body = Value(body);
        }

        result.Attributes.AddRange(Attributes(record));
        return result;
    }

    private static IEnumerable<KeyValue> Attributes(JsonElement owner)
    {
        foreach (var attribute in Array(owner, "attributes", "attributes"))
        {
            yield return new KeyValue
            {
                Key = attribute.GetString("key") ?? throw Invalid("attributes", "every attribute needs a string key"),
                Value = Object(attribute, "value") is { } value ? Value(value) : new AnyValue(),
            };
        }
    }

    private static AnyValue Value(JsonElement value)
    {
        var result = new AnyValue();
        foreach (var property in value.EnumerateObject())
        {
            var v = property.Value;
            switch (property.Name)
            {
                case "stringValue" or "string_value":
                    result.StringValue = v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Invalid(property.Name, "must be a string");
                    break;
                case "boolValue" or "bool_value":
                    result.BoolValue = v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Invalid(property.Name, "must be true or false");
                    break;
                case "intValue" or "int_value":
                    result.IntValue = Int64(v, property.Name);
                    break;
                case "doubleValue" or "double_value":
                    result.DoubleValue = Double(v, property.Name);
                    break;
                case "bytesValue" or "bytes_value":
                    result.BytesValue = v.ValueKind == JsonValueKind.String && v.TryGetBytesFromBase64(out var bytes)
                        ? ByteString.CopyFrom(bytes)
                        : throw Invalid(property.Name, "must be base64");
                    break;
                case "arrayValue" or "array_value":
                    var array = new ArrayValue();
                    foreach (var item in Array(v, "values", "values"))
                    {
                        array.Values.Add(Value(item));
                    }

                    result.ArrayValue = array;
                    break;
                case "kvlistValue" or "kvlist_value":
                    var list = new KeyValueList();
                    foreach (var pair in Array(v, "values", "values"))
                    {
                        list.Values.Add(new KeyValue
                        {
                            Key = pair.GetString("key") ?? throw Invalid("kvlistValue", "every entry needs a string key"),
                            Value = Object(pair, "value") is { } pairValue ? Value(pairValue) : new AnyValue(),
                        });
                    }

                    result.KvlistValue = list;
                    break;
            }
        }

        return result;
    }

    private static int Severity(JsonElement record)
    {
        if (!TryGet(record, "severityNumber", "severity_number", out var value))
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        // The enum's name is allowed by the JSON mapping: SEVERITY_NUMBER_INFO2 and so on.
        if (value.ValueKind == JsonValueKind.String && value.GetString() is { } name && name.StartsWith("SEVERITY_NUMBER_", StringComparison.Ordinal))
        {
            var levels = new[] { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" };
            var rest = name["SEVERITY_NUMBER_".Length..];
            for (var i = 0; i < levels.Length; i++)
            {
                if (rest.StartsWith(levels[i], StringComparison.Ordinal))
                {
                    var step = rest.Length == levels[i].Length ? 1 : int.Parse(rest.AsSpan(levels[i].Length), CultureInfo.InvariantCulture);
                    return i * 4 + step;
                }
            }

            return 0;
        }

        throw Invalid("severityNumber", "must be an integer from 0 to 24");
    }

    private static ByteString HexBytes(JsonElement owner, string name, string altName, int length)
    {
        var text = String(owner, name, altName);
        if (string.IsNullOrEmpty(text))
        {
            return ByteString.Empty;
        }

        if (text.Length != length * 2)
        {
            throw Invalid(name, $"must be {length * 2} hexadecimal characters");
        }

        try
        {
            return ByteString.CopyFrom(Convert.FromHexString(text));
        }
        catch (FormatException)
        {
            throw Invalid(name, $"must be {length * 2} hexadecimal characters");
        }
    }

    private static ulong UInt64(JsonElement owner, string name, string altName)
    {
        if (!TryGet(owner, name, altName, out var value))
        {
            return 0;
        }

        // 64-bit integers travel as strings in the JSON mapping; numbers are accepted too.
        if ((value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number)) ||
            (value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number)))
        {
            return number;
        }

        throw Invalid(name, "must be an unsigned 64-bit integer (nanoseconds since the epoch)");
    }

    private static long Int64(JsonElement value, string name)
    {
        if ((value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)) ||
            (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number)))
        {
            return number;
        }

        throw Invalid(name, "must be a 64-bit integer");
    }

    private static double Double(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { } text
            ? text switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Invalid(name, "must be a number"),
            }
            : throw Invalid(name, "must be a number");
    }

    private static string? String(JsonElement owner, string name, string altName) =>
        TryGet(owner, name, altName, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid(name, "must be a string")
            : null;

    private static JsonElement? Object(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.Object ? value : throw Invalid(name, "must be an object")
            : null;

    private static IEnumerable<JsonElement> Array(JsonElement owner, string name, string altName)
    {
        if (owner.ValueKind != JsonValueKind.Object || !TryGet(owner, name, altName, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw Invalid(name, "must be an array");
    }

    private static bool TryGet(JsonElement owner, string name, string altName, out JsonElement value) =>
        (owner.TryGetProperty(name, out value) || owner.TryGetProperty(altName, out value)) && value.ValueKind != JsonValueKind.Null;

    private static IngestBodyException Invalid(string field, string detail) => new(RequestErrorCodes.InvalidBody, field, detail);
}
