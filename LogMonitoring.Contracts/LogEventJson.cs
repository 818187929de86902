using System.Buffers;
using System.Text.Json;

namespace LogMonitoring.Contracts;

/// <summary>
/// The event's JSON form on the Kafka topic: the same fields a sender posts, with the id and the
/// receive time filled in, so any Kafka client can produce to the topic and any can read from it
/// (the persister reads it with <see cref="LogEventReader.ReadFromTopic"/>).
/// </summary>
public static class LogEventJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = true };

    // One buffer and writer per thread, reused for every event. Utf8JsonWriter asks its buffer for room for
    // the worst case of each string (every character escaped to six bytes), so a buffer sized for the event
    // grew several times per event: about 5.7 KB of garbage for a 470-byte message, most of ingest's allocations.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static byte[] ToUtf8Bytes(LogEvent logEvent)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, s_writerOptions);
        writer.Reset(buffer);
        Write(writer, logEvent);
        writer.Flush();
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
    /// The largest topic message the persister takes. Ingest checks <see cref="LogLimits.MaxEventBytes"/> on
    /// what the sender wrote, then re-encodes the event: a character may become a six-byte escape, and
    /// id, timestamp and received_at are added. An event ingest accepted must never be dead-lettered for
    /// its size, so the topic allows that growth; every field's own limit still applies to the content.
    /// </summary>
    public static long MaxMessageBytes(LogLimits limits) => (long)MessageAllowance * limits.MaxEventBytes + 1024;

    internal const int MessageAllowance = 6;
}
