using Confluent.Kafka;
using LogMonitoring.Contracts;

namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>Looks at Kafka from outside the services: watermarks, the persister group's commits, the dead letters.</summary>
/// <param name="describeConsumers">What the group's members logged, added to a failure so it can be read without a rerun.</param>
public sealed class KafkaProbe(string bootstrapServers, Func<string>? describeConsumers = null) : IDisposable
{
    public const string PersisterGroup = "logmonitoring-persister";

    private readonly IConsumer<byte[]?, byte[]?> _group = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
    {
        BootstrapServers = bootstrapServers,
        // Never subscribes: it only reads the persister group's committed offsets.
        GroupId = PersisterGroup,
        EnableAutoCommit = false,
    }).Build();

    public string BootstrapServers { get; } = bootstrapServers;

    public IReadOnlyList<TopicPartition> Partitions(int count, string topic = LogTopics.Logs) =>
        Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p)).ToList();

    /// <summary>Offsets the persister group committed, per partition (-1001 when none).</summary>
    public long[] Committed(int partitions) =>
        _group.Committed(Partitions(partitions), TimeSpan.FromSeconds(10)).OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value).ToArray();

    public WatermarkOffsets Watermarks(int partition, string topic = LogTopics.Logs) =>
        _group.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10));

    /// <summary>True once the group has committed everything the topic holds.</summary>
    public bool CaughtUp(int partitions)
    {
        var committed = Committed(partitions);
        return Enumerable.Range(0, partitions).All(p => committed[p] >= Watermarks(p).High.Value);
    }

    public async Task WaitCaughtUpAsync(int partitions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!CaughtUp(partitions))
        {
            if (clock.Elapsed > timeout)
            {
                var high = Enumerable.Range(0, partitions).Select(p => Watermarks(p).High.Value);
                throw new TimeoutException($"the persister group did not catch up within {timeout}: committed {string.Join(",", Committed(partitions))} of {string.Join(",", high)}\n{describeConsumers?.Invoke()}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Every message of the dead-letter topic, read from the start.</summary>
    public List<ConsumeResult<byte[]?, byte[]?>> DeadLetters(int expected, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = $"reliability-dlq-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(LogTopics.DeadLetter, 0, Offset.Beginning));
        var results = new List<ConsumeResult<byte[]?, byte[]?>>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (results.Count < expected && clock.Elapsed < timeout)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    public static IProducer<byte[]?, byte[]?> Producer(string bootstrapServers) =>
        new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            // Uncompressed, so the bytes a test produces are the bytes the broker keeps.
            CompressionType = CompressionType.None,
        }).Build();

    public void Dispose() => _group.Dispose();
}
