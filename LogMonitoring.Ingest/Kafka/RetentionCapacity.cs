namespace LogMonitoring.Ingest.Kafka;

/// <summary>What the broker keeps of each partition of the logs topic before it deletes the oldest records.</summary>
/// <param name="RetentionBytes">Bytes kept per partition: the topic's <c>retention.bytes</c>.</param>
/// <param name="SegmentBytes">
/// The most deleted at once: the topic's <c>segment.bytes</c>, since Kafka deletes whole segments (librdkafka's
/// mock broker deletes whole produced batches).
/// </param>
public sealed record RetentionCapacity(long RetentionBytes, long SegmentBytes)
{
    /// <summary>
    /// The newest bytes of a partition that no deletion can reach: the limit less one segment, since the broker
    /// deletes a whole segment when the limit is passed. A segment half the limit or larger is an odd setting;
    /// half the limit is then what is counted on.
    /// </summary>
    public long SafeBytes => RetentionBytes - Math.Min(SegmentBytes, RetentionBytes / 2);
}
