using System.ComponentModel.DataAnnotations;
using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest;

/// <summary>How ingest talks to Kafka and how it pushes back when Kafka cannot keep up.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    [Required]
    public string Topic { get; set; } = LogTopics.Logs;

    /// <summary>How long an event may wait for Kafka's acknowledgement before the request answers 503.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events produced but not yet acknowledged, across all requests; past it, requests get 429.</summary>
    [Range(1000, 10_000_000)]
    public int MaxInFlightEvents { get; set; } = 500_000;

    /// <summary>
    /// Bytes of events produced but not yet acknowledged (as written to Kafka), across all requests; past it,
    /// requests get 429. This, not the event count, is what keeps a slow Kafka from exhausting memory.
    /// </summary>
    [Range(typeof(long), "1048576", "68719476736")]
    public long MaxInFlightBytes { get; set; } = DefaultMaxInFlightBytes();

    /// <summary>The consumer group whose lag ingest watches: the persisters'.</summary>
    [Required]
    public string PersisterGroupId { get; set; } = "logmonitoring-persister";

    /// <summary>
    /// Past this share of what the broker retains of a partition, unread by the persisters, requests get 429:
    /// retention would otherwise delete accepted logs before they are stored. With the topic's retention known
    /// (<see cref="TopicRetentionBytes"/>, or read from the broker) it is a share of its bytes less a segment, and
    /// applies before anything is deleted; otherwise a share of the events the broker still holds, once it has
    /// begun deleting.
    /// </summary>
    [Range(0.1, 1.0)]
    public double MaxLagShareOfRetained { get; set; } = 0.8;

    /// <summary>
    /// What the broker keeps of each partition of the topic, in bytes (the topic's <c>retention.bytes</c>). Unset,
    /// ingest reads it, with <c>segment.bytes</c>, from the broker (DescribeConfigs) at every look. Set it, with
    /// <see cref="TopicSegmentBytes"/>, for a broker whose limits are not topic configs: librdkafka's mock broker,
    /// which the AppHost's embedded mode sets here.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long? TopicRetentionBytes { get; set; }

    /// <summary>The most the broker deletes at once (the topic's <c>segment.bytes</c>); set with <see cref="TopicRetentionBytes"/>.</summary>
    [Range(1L, long.MaxValue)]
    public long? TopicSegmentBytes { get; set; }

    /// <summary>
    /// How often ingest reads the persister group's lag. Between looks the gate counts every event accepted as unread
    /// (it cannot see what the persisters read meanwhile), so the interval times the rate into a partition is taken
    /// from what the broker retains of it: a broker that keeps only seconds of a busy stream needs looks well under a second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan LagCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Retry-After value sent with 429 and 503.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// librdkafka linger.ms. A request waits for its events' acknowledgement, so each request waited the linger
    /// too: with 64 one-event requests in flight, 5 ms capped ingest near 64 / 7 ms = 9,000 requests/s. At 0 the
    /// producer still batches under load (what queues while earlier produce requests are in flight goes in
    /// one), and measured as many CPU microseconds per event in every framing.
    /// </summary>
    [Range(0, 1000)]
    public int LingerMs { get; set; }

    /// <summary>librdkafka compression.type: none, gzip, snappy, lz4 or zstd.</summary>
    [Required]
    public string Compression { get; set; } = "lz4";

    /// <summary>
    /// An eighth of the memory the GC may use (in a container, 75 % of its limit: the GC reads the cgroup).
    /// Measured, each byte counted here costs about four and a half while it waits — librdkafka's copy, and
    /// the request's parsed events in UTF-16 — so an eighth keeps a full queue within the limit.
    /// </summary>
    public static long DefaultMaxInFlightBytes() =>
        Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8, 1L << 20, 1L << 36);
}
