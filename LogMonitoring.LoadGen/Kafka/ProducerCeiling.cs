using System.Diagnostics;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;

namespace LogMonitoring.LoadGen.Kafka;

public sealed record ProducerCeilingSummary(
    string Topic, long Events, long Delivered, long Failed, int EventBytes, double DurationSeconds, double DeliveredPerSecond, double MegabytesPerSecond, double CpuMicrosecondsPerEvent);

/// <summary>
/// The most a plain Confluent.Kafka producer, configured as ingest's is (idempotent, acks=all, lz4,
/// linger 0 ms), gets through to the broker: the ceiling ingest is compared with.
/// </summary>
public sealed class ProducerCeiling(string bootstrapServers, string topic, int eventBytes, int lingerMs = 0, string compression = "lz4")
{
    public ProducerCeilingSummary Run(long events)
    {
        // Serialized up front: the ceiling is Kafka's, not the serializer's. Only the id differs per
        // message, written into a copy of a template, so every event is stored once downstream.
        var factory = new SyntheticEvents(eventBytes);
        var now = DateTime.UtcNow;
        var ids = new UniqueSourceIds();
        var templates = Enumerable.Range(0, 4096).Select(i =>
        {
            var e = factory.NextAccepted(now) with { SourceId = ids.Placeholder };
            return (Key: $"{e.Service}/#{i % 64}", Value: LogEventJson.ToUtf8Bytes(e));
        }).ToArray();
        var idOffsets = templates.Select(t => ids.OffsetIn(t.Value)).ToArray();

        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            ClientId = "logmonitoring-bench-producer",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = lingerMs,
            CompressionType = Enum.Parse<CompressionType>(compression, ignoreCase: true),
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 1_000_000,
            QueueBufferingMaxKbytes = 2 * 1024 * 1024,
        };

        long delivered = 0, failed = 0;
        void OnDelivered(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
            else
            {
                Interlocked.Increment(ref delivered);
            }
        }

        using var producer = new ProducerBuilder<string, byte[]>(config).Build();
        // One message first, so topic creation and the producer id are not part of the measurement.
        producer.Produce(topic, new Message<string, byte[]> { Key = templates[0].Key, Value = ids.Stamp(templates[0].Value, idOffsets[0]) }, OnDelivered);
        producer.Flush(TimeSpan.FromSeconds(30));
        delivered = failed = 0;

        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long bytes = 0;
        for (long i = 0; i < events; i++)
        {
            var t = i % templates.Length;
            var message = new Message<string, byte[]> { Key = templates[t].Key, Value = ids.Stamp(templates[t].Value, idOffsets[t]) };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, OnDelivered);
                    bytes += message.Value.Length;
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new ProducerCeilingSummary(topic, events, delivered, failed, (int)(bytes / Math.Max(1, events)), Math.Round(elapsed, 3),
            Math.Round(delivered / elapsed, 1), Math.Round(bytes / elapsed / 1_000_000, 2), Math.Round(cpu.TotalMicroseconds / Math.Max(1, delivered), 2));
    }
}
