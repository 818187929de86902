using Confluent.Kafka;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// The persister's Kafka consumer settings, in one place for the consumer and its tests (the bootstrap
/// servers and any <c>Kafka:Client</c> override are added when the client is made).
/// </summary>
public static class PersisterConsumerConfig
{
    public static ConsumerConfig Create(PersisterOptions options) => new()
    {
        GroupId = options.GroupId,
        ClientId = $"logmonitoring-persister-{Environment.MachineName}-{Environment.ProcessId}",
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        // A replica that dies is noticed within seconds, and its partitions move to the others.
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 2_000,
        MaxPollIntervalMs = (int)PersisterOptions.MaxPollInterval.TotalMilliseconds,
        // Incremental rebalancing: when a replica joins or leaves (a rollout, an autoscaler step) only
        // the partitions that move are revoked; the others keep being consumed, where the eager
        // strategies would stop the whole group until every member rejoined.
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
    };
}
