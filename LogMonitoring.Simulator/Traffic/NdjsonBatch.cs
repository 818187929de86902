using System.Buffers;
using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Simulator.Patterns;

namespace LogMonitoring.Simulator.Traffic;

/// <summary>Writes simulated lines as an NDJSON request body in the ingest contract's shape.</summary>
public static class NdjsonBatch
{
    public static byte[] Write(IEnumerable<(SimulatedLog Log, string Service, string Host, DateTimeOffset Timestamp)> lines)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var writer = new Utf8JsonWriter(buffer);
        foreach (var (log, service, host, timestamp) in lines)
        {
            writer.Reset();
            writer.WriteStartObject();
            // A fresh id per line: the HTTP client may retry a request, and ingest stores each id once.
            writer.WriteString("id", Guid.CreateVersion7(timestamp));
            writer.WriteString("timestamp", timestamp.UtcDateTime);
            writer.WriteString("level", log.Level.ToWireName());
            writer.WriteString("service", service);
            writer.WriteString("message", log.Message);
            writer.WriteString("host", host);
            writer.WriteStartObject("metadata");
            foreach (var (key, value) in log.Metadata)
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
            buffer.Write("\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
