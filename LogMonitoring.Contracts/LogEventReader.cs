using System.Globalization;
using System.Text.Json;

namespace LogMonitoring.Contracts;

/// <summary>
/// Turns one JSON object into a <see cref="LogEvent"/>, applying every rule of the contract. Errors are
/// written as <c>"field: reason"</c> so a sender can fix the exact field.
/// </summary>
public sealed class LogEventReader(LogLimits limits)
{
    public LogLimits Limits { get; } = limits;

    /// <summary>How a missing id is filled in.</summary>
    public enum MissingId
    {
        /// <summary>Ingest: give the event a new time-ordered source id.</summary>
        AssignNew,

        /// <summary>Persister: the caller supplies a store id derived from the Kafka position.</summary>
        UseFallback,
    }

    /// <param name="element">The event object.</param>
    /// <param name="now">The receiving clock, used for a missing timestamp and the skew window.</param>
    /// <param name="checkTimeWindow">False where events may have waited in Kafka (the persister).</param>
    /// <param name="receivedAt">Stamped on the event; null keeps the value the event carries.</param>
    /// <param name="missingId">What to do when the event has no id.</param>
    /// <param name="fallbackStoreId">The store id used with <see cref="MissingId.UseFallback"/>.</param>
    public bool TryRead(
        JsonElement element,
        DateTime now,
        bool checkTimeWindow,
        DateTime? receivedAt,
        MissingId missingId,
        string? fallbackStoreId,
        List<string> errors,
        out LogEvent? logEvent)
    {
        try
        {
            return TryReadEvent(element, now, checkTimeWindow, receivedAt, missingId, fallbackStoreId, errors, out logEvent);
        }
        catch (InvalidOperationException)
        {
            // Valid JSON may still escape half a UTF-16 surrogate pair ("\ud800"): reading such a string or
            // property name throws. It is the sender's broken text, so it is refused like any invalid field.
            errors.Add("event: a string or key holds a \\u escape that is not valid UTF-16 (an unpaired surrogate)");
            logEvent = null;
            return false;
        }
    }

    private bool TryReadEvent(
        JsonElement element,
        DateTime now,
        bool checkTimeWindow,
        DateTime? receivedAt,
        MissingId missingId,
        string? fallbackStoreId,
        List<string> errors,
        out LogEvent? logEvent)
    {
        logEvent = null;
        var errorCountBefore = errors.Count;
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"event: must be a JSON object, not {Describe(element.ValueKind)}");
            return false;
        }

        string? id = null, service = null, message = null, host = null, traceId = null, spanId = null;
        DateTime? timestamp = null, carriedReceivedAt = null;
        LogEventLevel? level = null;
        JsonElement? metadata = null;
        List<JsonProperty>? extras = null;
        var seen = 0;

        foreach (var property in element.EnumerateObject())
        {
            var field = KnownField(property.Name);
            if (field != 0)
            {
                if ((seen & field) != 0)
                {
                    errors.Add($"{property.Name}: appears more than once");
                    continue;
                }

                seen |= field;
            }

            switch (property.Name)
            {
                case "id":
                    id = ReadString(property, Limits.MaxIdLength, nameof(Limits.MaxIdLength), required: false, errors);
                    break;
                case "timestamp":
                    timestamp = ReadTimestamp(property, errors);
                    break;
                case "level":
                    level = ReadLevel(property, errors);
                    break;
                case "service":
                    service = ReadString(property, Limits.MaxServiceLength, nameof(Limits.MaxServiceLength), required: true, errors);
                    if (service is not null && !IsValidServiceName(service))
                    {
                        errors.Add("service: may contain only letters, digits and . _ - / :");
                        service = null;
                    }

                    break;
                case "message":
                    message = ReadString(property, Limits.MaxMessageLength, nameof(Limits.MaxMessageLength), required: true, errors, allowLineBreaks: true);
                    break;
                case "metadata":
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        metadata = property.Value;
                    }
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        errors.Add($"metadata: must be a JSON object, not {Describe(property.Value.ValueKind)}");
                    }

                    break;
                case "host":
                    host = ReadString(property, Limits.MaxHostLength, nameof(Limits.MaxHostLength), required: false, errors);
                    break;
                case "trace_id":
                    traceId = ReadHexId(property, 32, errors);
                    break;
                case "span_id":
                    spanId = ReadHexId(property, 16, errors);
                    break;
                case "received_at":
                    carriedReceivedAt = ReadTimestamp(property, errors);
                    break;
                default:
                    // Unknown top-level fields are kept, as metadata, rather than silently dropped.
                    (extras ??= []).Add(property);
                    break;
            }
        }

        if ((seen & Field.Service) == 0)
        {
            errors.Add("service: is required");
        }

        if ((seen & Field.Message) == 0)
        {
            errors.Add("message: is required");
        }

        if ((seen & Field.Level) == 0)
        {
            errors.Add("level: is required (one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL)");
        }

        if (timestamp is { } ts && checkTimeWindow)
        {
            if (ts > now + Limits.MaxFutureSkew)
            {
                errors.Add($"timestamp: is more than {Limits.MaxFutureSkew} in the future (limit {nameof(LogLimits.MaxFutureSkew)})");
            }
            else if (ts < now - Limits.MaxPastAge)
            {
                errors.Add($"timestamp: is more than {Limits.MaxPastAge.TotalDays:0.##} days in the past (limit {nameof(LogLimits.MaxPastAge)})");
            }
        }

        var metadataJson = BuildMetadata(metadata, extras, errors);

        if (errors.Count > errorCountBefore)
        {
            return false;
        }

        string storeId;
        string? sourceId = id;
        if (id is not null)
        {
            storeId = LogEventId.ForSource(service!, id);
        }
        else if (missingId == MissingId.AssignNew)
        {
            sourceId = LogEventId.NewSourceId();
            storeId = LogEventId.ForSource(service!, sourceId);
        }
        else
        {
            storeId = fallbackStoreId ?? throw new ArgumentNullException(nameof(fallbackStoreId));
        }

        logEvent = new LogEvent
        {
            Id = storeId,
            SourceId = sourceId,
            Timestamp = timestamp ?? now,
            Level = level!.Value,
            Service = service!,
            Message = message!,
            MetadataJson = metadataJson,
            Host = host,
            TraceId = traceId,
            SpanId = spanId,
            ReceivedAt = receivedAt ?? carriedReceivedAt,
        };
        return true;
    }

    private static class Field
    {
        public const int Id = 1, Timestamp = 2, Level = 4, Service = 8, Message = 16, Metadata = 32,
            Host = 64, TraceId = 128, SpanId = 256, ReceivedAt = 512;
    }

    private static int KnownField(string name) => name switch
    {
        "id" => Field.Id,
        "timestamp" => Field.Timestamp,
        "level" => Field.Level,
        "service" => Field.Service,
        "message" => Field.Message,
        "metadata" => Field.Metadata,
        "host" => Field.Host,
        "trace_id" => Field.TraceId,
        "span_id" => Field.SpanId,
        "received_at" => Field.ReceivedAt,
        _ => 0,
    };

    private static string? ReadString(
        JsonProperty property, int maxLength, string limitName, bool required, List<string> errors, bool allowLineBreaks = false)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.Null && !required)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{property.Name}: must be a string, not {Describe(value.ValueKind)}");
            return null;
        }

        var text = value.GetString()!;
        if (text.Length == 0 || (required && string.IsNullOrWhiteSpace(text)))
        {
            errors.Add($"{property.Name}: must not be empty");
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add($"{property.Name}: is {text.Length} characters, over the limit of {maxLength} ({limitName})");
            return null;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                errors.Add($"{property.Name}: contains control character U+{(int)c:X4}");
                return null;
            }
        }

        return text;
    }

    private static DateTime? ReadTimestamp(JsonProperty property, List<string> errors)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{property.Name}: must be an ISO 8601 string such as 2024-01-15T10:30:00Z, not {Describe(value.ValueKind)}");
            return null;
        }

        var text = value.GetString();
        if (text is null || text.Length > 64 ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed) ||
            !LooksLikeIso8601(text))
        {
            errors.Add($"{property.Name}: '{Truncate(text)}' is not an ISO 8601 date-time such as 2024-01-15T10:30:00Z");
            return null;
        }

        return parsed.UtcDateTime;
    }

    // DateTimeOffset.TryParse also takes forms such as "1/2/2024"; the contract promises ISO 8601.
    private static bool LooksLikeIso8601(string text)
    {
        var t = text.AsSpan().Trim();
        return t.Length >= 10 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[1]) && char.IsAsciiDigit(t[2]) &&
               char.IsAsciiDigit(t[3]) && t[4] == '-' && t[7] == '-';
    }

    private static LogEventLevel? ReadLevel(JsonProperty property, List<string> errors)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.String && LogEventLevels.TryParse(value.GetString(), out var level))
        {
            return level;
        }

        var shown = value.ValueKind == JsonValueKind.String ? $"'{Truncate(value.GetString())}'" : Describe(value.ValueKind);
        errors.Add($"level: {shown} is not a level (one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, or an alias such as WARNING, ERR, CRITICAL)");
        return null;
    }

    private static string? ReadHexId(JsonProperty property, int length, List<string> errors)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        if (text is null || text.Length != length || text.AsSpan().ContainsAnyExcept(HexDigits))
        {
            errors.Add($"{property.Name}: must be {length} hexadecimal characters (W3C trace context)");
            return null;
        }

        return text.ToLowerInvariant();
    }

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private string? BuildMetadata(JsonElement? metadata, List<JsonProperty>? extras, List<string> errors)
    {
        if (metadata is null && extras is null)
        {
            return null;
        }

        var keys = 0;
        var before = errors.Count;
        if (metadata is { } m)
        {
            CheckMetadata(m, "metadata", 1, ref keys, errors);
        }

        foreach (var extra in extras ?? [])
        {
            keys++;
            CheckKey(extra.Name, "metadata", errors);
            // An unknown field becomes a key of the metadata object, so its value sits one level down.
            CheckMetadata(extra.Value, "metadata." + extra.Name, 2, ref keys, errors);
        }

        if (keys > Limits.MaxMetadataKeys)
        {
            errors.Add($"metadata: has {keys} keys, over the limit of {Limits.MaxMetadataKeys} ({nameof(LogLimits.MaxMetadataKeys)})");
        }

        if (errors.Count > before)
        {
            return null;
        }

        string json;
        if (extras is null)
        {
            json = metadata!.Value.GetRawText();
        }
        else
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                if (metadata is { } md)
                {
                    foreach (var p in md.EnumerateObject())
                    {
                        p.WriteTo(writer);
                    }
                }

                foreach (var p in extras)
                {
                    p.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            json = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        if (json.Length > Limits.MaxMetadataBytes)
        {
            errors.Add($"metadata: is {json.Length} bytes, over the limit of {Limits.MaxMetadataBytes} ({nameof(LogLimits.MaxMetadataBytes)})");
            return null;
        }

        return json;
    }

    private void CheckMetadata(JsonElement element, string path, int depth, ref int keys, List<string> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > Limits.MaxMetadataDepth)
                {
                    errors.Add($"{path}: nested deeper than {Limits.MaxMetadataDepth} levels ({nameof(LogLimits.MaxMetadataDepth)})");
                    return;
                }

                foreach (var p in element.EnumerateObject())
                {
                    keys++;
                    if (!CheckKey(p.Name, path, errors))
                    {
                        return;
                    }

                    CheckMetadata(p.Value, path + "." + p.Name, depth + 1, ref keys, errors);
                }

                break;
            case JsonValueKind.Array:
                if (depth > Limits.MaxMetadataDepth)
                {
                    errors.Add($"{path}: nested deeper than {Limits.MaxMetadataDepth} levels ({nameof(LogLimits.MaxMetadataDepth)})");
                    return;
                }

                foreach (var item in element.EnumerateArray())
                {
                    CheckMetadata(item, path + "[]", depth + 1, ref keys, errors);
                }

                break;
        }
    }

    // Keys that MongoDB would read as operators, or that are empty, are refused rather than stored.
    private static bool CheckKey(string key, string path, List<string> errors)
    {
        if (key.Length == 0)
        {
            errors.Add($"{path}: has an empty key");
            return false;
        }

        if (key[0] == '$')
        {
            errors.Add($"{path}.{Truncate(key)}: keys must not start with '$'");
            return false;
        }

        if (key.Contains('\0'))
        {
            errors.Add($"{path}: a key contains U+0000");
            return false;
        }

        return true;
    }

    private static bool IsValidServiceName(string service)
    {
        foreach (var c in service)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string? text) =>
        text is null ? "" : text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
