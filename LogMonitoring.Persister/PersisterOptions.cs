using System.ComponentModel.DataAnnotations;
using LogMonitoring.Contracts;

namespace LogMonitoring.Persister;

/// <summary>How the persister reads Kafka and writes batches.</summary>
public sealed class PersisterOptions
{
    public const string SectionName = "Persister";

    [Required]
    public string Topic { get; set; } = LogTopics.Logs;

    [Required]
    public string DeadLetterTopic { get; set; } = LogTopics.DeadLetter;

    /// <summary>Every replica joins this consumer group; Kafka spreads the partitions among them.</summary>
    [Required]
    public string GroupId { get; set; } = "logmonitoring-persister";

    /// <summary>A batch is written when it holds this many events…</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>…or when its first event has waited this long, whichever comes first.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BatchWait { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>At shutdown, how long to keep trying to write the batch in hand before leaving it to redelivery.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownWriteTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a dead letter may wait for the dead-letter topic before the batch backs off and retries.
    /// Kept well below the consumer's poll interval (<see cref="MaxPollInterval"/>), so a slow dead-letter
    /// topic never gets the member evicted from the group.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan DeadLetterTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>librdkafka's max.poll.interval.ms: the poll loop never blocks this long, even while backing off.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Liveness fails (see <see cref="Kafka.ConsumerProgress"/>) when this member has held partitions without
    /// moving them this long: its poll loop blocked, messages waiting while it consumes nothing, or every
    /// offset commit failing. Longer than any wait the loop makes on purpose (a store write, a retry, a rebalance).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest pause between retries of a failing store write.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
}
