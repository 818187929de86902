using System.Buffers;
using System.Text.Json;

namespace LogMonitoring.Contracts;

/// <summary>
/// The event's JSON form on the Kafka topic: the same fields a sender posts, with the id and the
/// receive time filled in, so any Kafka client can produce to the topic and any can read from it.
/// </summary>
public static class LogEventJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = true };

    public static byte[] ToUtf8Bytes(LogEvent logEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + logEvent.Message.Length + (logEvent.MetadataJson?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            Write(writer, logEvent);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, LogEvent logEvent)
    {
        writer.WriteStartObject();
        if (logEvent.SourceId is not null)
        {
            writer.WriteString("id", logEvent.SourceId);
        }

        writer.WriteString("timestamp", logEvent.Timestamp);
        writer.WriteString("level", logEvent.Level.ToWireName());
        writer.WriteString("service", logEvent.Service);
        writer.WriteString("message", logEvent.Message);
        if (logEvent.MetadataJson is not null)
        {
            writer.WritePropertyName("metadata");
            writer.WriteRawValue(logEvent.MetadataJson, skipInputValidation: true);
        }

        if (logEvent.Host is not null)
        {
            writer.WriteString("host", logEvent.Host);
        }

        if (logEvent.TraceId is not null)
        {
            writer.WriteString("trace_id", logEvent.TraceId);
        }

        if (logEvent.SpanId is not null)
        {
            writer.WriteString("span_id", logEvent.SpanId);
        }

        if (logEvent.ReceivedAt is { } receivedAt)
        {
            writer.WriteString("received_at", receivedAt);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads one message from the topic. The time window is not checked here: an event may have
    /// waited in Kafka for as long as the consumer was behind.
    /// </summary>
    public static bool TryReadMessage(
        LogEventReader reader,
        ReadOnlySpan<byte> utf8Json,
        string fallbackStoreId,
        List<string> errors,
        out LogEvent? logEvent)
    {
        logEvent = null;
        if (utf8Json.Length > reader.Limits.MaxEventBytes)
        {
            errors.Add($"event: is {utf8Json.Length} bytes, over the limit of {reader.Limits.MaxEventBytes} ({nameof(LogLimits.MaxEventBytes)})");
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            errors.Add("event: not valid JSON (the message is not valid UTF-8)");
            return false;
        }

        JsonDocument document;
        try
        {
            var jsonReader = new Utf8JsonReader(utf8Json, LogBatchParser.DocumentOptions.ToReaderOptions());
            document = JsonDocument.ParseValue(ref jsonReader);
            if (jsonReader.Read())
            {
                document.Dispose();
                errors.Add("event: unexpected data after the JSON value");
                return false;
            }
        }
        catch (JsonException ex)
        {
            errors.Add($"event: not valid JSON ({LogBatchParser.Describe(ex)})");
            return false;
        }

        using (document)
        {
            return reader.TryRead(
                document.RootElement,
                DateTime.UtcNow,
                checkTimeWindow: false,
                receivedAt: null,
                LogEventReader.MissingId.UseFallback,
                fallbackStoreId,
                errors,
                out logEvent);
        }
    }

    private static JsonReaderOptions ToReaderOptions(this JsonDocumentOptions options) => new()
    {
        AllowTrailingCommas = options.AllowTrailingCommas,
        CommentHandling = options.CommentHandling,
        MaxDepth = options.MaxDepth,
    };
}
