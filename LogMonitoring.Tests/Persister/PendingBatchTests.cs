using Confluent.Kafka;
using LogMonitoring.Persister.Batches;
using static LogMonitoring.Tests.Persister.TopicMessages;

namespace LogMonitoring.Tests.Persister;

public sealed class PendingBatchTests
{
    [Fact]
    public void The_offsets_to_commit_are_each_partitions_next_one()
    {
        var batch = new PendingBatch();
        batch.Add(At(5, "a", partition: 0));
        batch.Add(At(6, "b", partition: 0));
        batch.Add(At(40, "c", partition: 3));

        Assert.Equal(
            [new TopicPartitionOffset(Topic, 0, 7), new TopicPartitionOffset(Topic, 3, 41)],
            batch.CommitOffsets().OrderBy(o => o.Partition.Value));
    }

    [Fact]
    public void A_partition_given_up_takes_its_messages_and_dead_letter_marks_with_it()
    {
        var batch = new PendingBatch();
        var kept = At(1, "a", partition: 1);
        var dropped = At(1, "b", partition: 2);
        batch.Add(kept);
        batch.Add(dropped);
        batch.MarkDeadLettered(kept);
        batch.MarkDeadLettered(dropped);

        batch.Remove([new TopicPartition(Topic, 2)]);

        Assert.Equal([kept], batch.Messages);
        Assert.True(batch.IsDeadLettered(kept));
        Assert.False(batch.IsDeadLettered(dropped));
    }

    [Fact]
    public void The_backoff_doubles_to_its_ceiling_and_starts_over_after_a_success()
    {
        var backoff = new BackoffSchedule(TimeSpan.FromMilliseconds(500));

        Assert.Equal([100, 200, 400, 500, 500], Enumerable.Range(0, 5).Select(_ => (int)backoff.NextDelay().TotalMilliseconds));
        backoff.Reset();
        Assert.Equal(100, backoff.NextDelay().TotalMilliseconds);
    }
}
