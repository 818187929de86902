using Confluent.Kafka;
using LogMonitoring.Persister.Kafka;

namespace LogMonitoring.Tests.Persister;

public sealed class UncommittedOffsetsTests
{
    private static TopicPartitionOffset At(int partition, long offset) => new("logs", partition, offset);

    private static TopicPartition P(int partition) => new("logs", partition);

    [Fact]
    public void Keeps_the_furthest_offset_of_each_partition_and_only_for_partitions_still_held()
    {
        var uncommitted = new UncommittedOffsets();
        uncommitted.Add([At(0, 100), At(1, 50)]);
        uncommitted.Add([At(0, 80), At(2, 7)]);

        Assert.Equal([At(0, 100), At(2, 7)], uncommitted.For([P(0), P(2), P(3)]));
        Assert.Equal(3, uncommitted.Count);
    }

    [Fact]
    public void A_later_commit_settles_what_it_reaches_and_an_earlier_one_does_not()
    {
        var uncommitted = new UncommittedOffsets();
        uncommitted.Add([At(0, 100), At(1, 50)]);

        uncommitted.Committed([At(0, 120), At(1, 40)]);

        Assert.Equal([At(1, 50)], uncommitted.For([P(0), P(1)]));
    }

    [Fact]
    public void Partitions_given_up_are_forgotten()
    {
        var uncommitted = new UncommittedOffsets();
        uncommitted.Add([At(0, 100), At(1, 50)]);

        uncommitted.Forget([P(1)]);

        Assert.Equal([At(0, 100)], uncommitted.For([P(0), P(1)]));
        Assert.Equal(1, uncommitted.Count);
    }
}
