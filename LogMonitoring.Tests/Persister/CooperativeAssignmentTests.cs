using System.Diagnostics;
using Confluent.Kafka;
using LogMonitoring.Kafka;
using LogMonitoring.Kafka.Mock;
using LogMonitoring.Persister;
using LogMonitoring.Persister.Kafka;
using Microsoft.Extensions.Configuration;

namespace LogMonitoring.Tests.Persister;

/// <summary>
/// Persister replicas rebalance incrementally: when a second replica joins (a rollout's surge pod, an
/// autoscaler step), the first gives up only the partitions that move and keeps consuming the rest.
/// Two consumers built from the persister's own settings, in one group on librdkafka's mock cluster.
/// </summary>
public sealed class CooperativeAssignmentTests
{
    private const string Topic = "logs";
    private const int Partitions = 6;

    [Fact]
    public void The_persister_asks_for_cooperative_sticky_assignment()
    {
        var config = PersisterConsumerConfig.Create(new PersisterOptions());

        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
    }

    [Fact]
    public void A_joining_replica_takes_partitions_without_stopping_the_first_ones_others()
    {
        using var cluster = new MockKafkaCluster(topics: new Dictionary<string, int> { [Topic] = Partitions });
        var options = new PersisterOptions { GroupId = $"cooperative-{Guid.NewGuid():N}" };
        var configuration = Configuration(cluster.BootstrapServers);
        // As the persister's KafkaClientFactory makes its consumer: its settings, plus the connection.
        var first = new Member(KafkaConnection.Configure(PersisterConsumerConfig.Create(options), configuration));
        var second = new Member(KafkaConnection.Configure(PersisterConsumerConfig.Create(options), configuration));
        try
        {
            first.Consumer.Subscribe(Topic);
            PollUntil(() => first.Consumer.Assignment.Count == Partitions, first);
            var before = first.Consumer.Assignment.ToHashSet();

            second.Consumer.Subscribe(Topic);
            PollUntil(() => second.Consumer.Assignment.Count > 0 && first.Consumer.Assignment.Count + second.Consumer.Assignment.Count == Partitions, first, second);

            // Eager assignment would have revoked all six from the first member before handing any out.
            var revoked = first.Revoked.SelectMany(r => r).ToHashSet();
            var kept = first.Consumer.Assignment.ToHashSet();
            Assert.NotEmpty(kept);
            Assert.Equal(second.Consumer.Assignment.ToHashSet(), revoked);
            Assert.True(kept.IsSubsetOf(before) && !revoked.Overlaps(kept), $"kept {string.Join(",", kept)}, revoked {string.Join(",", revoked)}");
            Assert.DoesNotContain(first.Revoked, r => r.Count == Partitions);
        }
        finally
        {
            Leave(second, stillPolling: first);
            Leave(first);
        }
    }

    /// <summary>
    /// A cooperative member's leave is a rebalance of the whole group: the member that stays must keep
    /// polling while it happens, as a persister replica does. Closing both from this one thread with nobody
    /// polling was seen to block for good inside librdkafka, so the close runs aside and is bounded: a close
    /// that does not finish fails this test instead of hanging the run (and the stuck consumer is left
    /// undisposed, since disposing one mid-close spins).
    /// </summary>
    private static void Leave(Member leaving, Member? stillPolling = null)
    {
        var closing = Task.Run(leaving.Consumer.Close);
        var clock = Stopwatch.StartNew();
        while (!closing.Wait(TimeSpan.FromMilliseconds(100)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "a member's close did not finish within a minute");
            stillPolling?.Consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        leaving.Consumer.Dispose();
    }

    private static IConfiguration Configuration(string bootstrap) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:kafka"] = bootstrap }).Build();

    /// <summary>Polls every member (rebalances happen inside Consume) until the condition holds, for up to a minute.</summary>
    private static void PollUntil(Func<bool> condition, params Member[] members)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "the group did not settle within a minute");
            foreach (var member in members)
            {
                member.Consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>A group member that records every set of partitions revoked from it.</summary>
    private sealed class Member
    {
        public Member(ConsumerConfig config)
        {
            Consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
                .SetPartitionsRevokedHandler((_, partitions) => Revoked.Add(partitions.Select(p => p.TopicPartition).ToList()))
                .Build();
        }

        public IConsumer<byte[]?, byte[]?> Consumer { get; }

        public List<List<TopicPartition>> Revoked { get; } = [];
    }
}
