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
        var cluster = new MockKafkaCluster(topics: new Dictionary<string, int> { [Topic] = Partitions });
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
            // Leaving while the group still rebalances is when a close was seen to block inside librdkafka.
            PollUntilQuiet(first, second);
            if (Leave(second, stillPolling: first) && Leave(first))
            {
                cluster.Dispose();
            }
        }
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

    /// <summary>Polls every member until no assignment has changed for three seconds (at most a minute).</summary>
    private static void PollUntilQuiet(params Member[] members)
    {
        var clock = Stopwatch.StartNew();
        var changes = members.Sum(m => m.Changes);
        var quietSince = Stopwatch.StartNew();
        while (quietSince.Elapsed < TimeSpan.FromSeconds(3) && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            foreach (var member in members)
            {
                member.Consumer.Consume(TimeSpan.FromMilliseconds(100));
            }

            if (members.Sum(m => m.Changes) != changes)
            {
                changes = members.Sum(m => m.Changes);
                quietSince.Restart();
            }
        }
    }

    /// <summary>
    /// A cooperative member's leave is a rebalance of the whole group: the member that stays keeps polling
    /// while it happens, as a persister replica does. Closing a member of the mock cluster's group was seen
    /// to block for good inside librdkafka (in incremental_unassign, under heavy load), so the close runs
    /// aside and is bounded. What this test proves is the assignment above; a close that does not finish is
    /// reported in the test's output and the consumer left undisposed (disposing one mid-close spins), with
    /// its cluster, rather than failing the assignment's test or hanging the run.
    /// </summary>
    private static bool Leave(Member leaving, Member? stillPolling = null)
    {
        var closing = Task.Run(leaving.Consumer.Close);
        var clock = Stopwatch.StartNew();
        while (!closing.Wait(TimeSpan.FromMilliseconds(100)))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                TestContext.Current.TestOutputHelper?.WriteLine("A member's close did not finish within a minute; its consumer and the mock cluster are left undisposed.");
                return false;
            }

            stillPolling?.Consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        leaving.Consumer.Dispose();
        return true;
    }

    /// <summary>A group member that records every set of partitions revoked from it, and counts every change of its assignment.</summary>
    private sealed class Member
    {
        private int _changes;

        public Member(ConsumerConfig config)
        {
            Consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
                .SetPartitionsAssignedHandler((_, _) => Interlocked.Increment(ref _changes))
                .SetPartitionsRevokedHandler((_, partitions) =>
                {
                    Interlocked.Increment(ref _changes);
                    Revoked.Add(partitions.Select(p => p.TopicPartition).ToList());
                })
                .Build();
        }

        public IConsumer<byte[]?, byte[]?> Consumer { get; }

        public List<List<TopicPartition>> Revoked { get; } = [];

        public int Changes => Volatile.Read(ref _changes);
    }
}
