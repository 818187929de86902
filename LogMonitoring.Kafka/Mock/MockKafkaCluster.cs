using System.Runtime.InteropServices;
using Confluent.Kafka;
using System.Text;
using LogMonitoring.Contracts;

namespace LogMonitoring.Kafka.Mock;

/// <summary>
/// librdkafka's mock cluster, hosted in this process for as long as the object lives. It speaks the real
/// Kafka protocol on 127.0.0.1, so any client in any process uses it through <see cref="BootstrapServers"/>.
/// The AppHost's embedded mode, the load generator's <c>kafka-mock</c> and the fault tests all host it
/// with this type; the fault tests take the brokers down and bring them back on the same port, with their
/// data and the groups' committed offsets intact. It keeps everything in memory: a development and test
/// stand-in, never a broker for production.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private readonly int _brokers;
    private bool _disposed;

    /// <param name="brokers">How many brokers the cluster has.</param>
    /// <param name="topics">Topics to create up front, with their partition counts; others are created on first use with 4 partitions.</param>
    /// <remarks>Each partition keeps only its newest few MiB, so more partitions also keep more of a backlog.</remarks>
    public MockKafkaCluster(int brokers = 1, IReadOnlyDictionary<string, int>? topics = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        _brokers = brokers;
        var rdkafka = LibrdkafkaMockApi.Instance;
        var error = new byte[512];
        // The mock cluster needs a client instance to host it; a producer with default settings will do.
        var conf = rdkafka.ConfNew();
        // The host client never connects anywhere; keep its "no bootstrap.servers" notice out of the output.
        rdkafka.ConfSet(conf, "log_level", "4", error, (UIntPtr)error.Length);
        _client = rdkafka.New(0, conf, error, (UIntPtr)error.Length);
        if (_client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(error).TrimEnd('\0')}");
        }

        _cluster = rdkafka.MockClusterNew(_client, brokers);
        if (_cluster == IntPtr.Zero)
        {
            rdkafka.Destroy(_client);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(rdkafka.MockClusterBootstraps(_cluster))!;
        foreach (var (topic, partitions) in topics ?? new Dictionary<string, int>())
        {
            Check(rdkafka.MockTopicCreate(_cluster, topic, partitions, 1), $"create topic {topic}");
        }
    }

    /// <summary>
    /// The pipeline's topics as Kubernetes and the containers mode create them: <c>logs</c> with 12 partitions
    /// (enough for the persister HPA's 10 replicas), <c>logs.dlq</c> with one.
    /// </summary>
    public static IReadOnlyDictionary<string, int> PipelineTopics(int logPartitions = DefaultLogPartitions) =>
        new Dictionary<string, int> { [LogTopics.Logs] = logPartitions, [LogTopics.DeadLetter] = 1 };

    public const int DefaultLogPartitions = 12;

    /// <summary>
    /// The bytes of record batches the mock broker keeps per partition: when an append passes it, the oldest whole
    /// batches are deleted (librdkafka's <c>rdkafka_mock.c</c>: <c>rd_kafka_mock_partition_init</c> sets
    /// <c>max_size</c> to 5 MiB, and the mock API has no call to change it). Its other limit, 100,000 batches per
    /// partition, is never reached first: a batch takes at least 61 bytes.
    /// </summary>
    public const long RetainedBytesPerPartition = 5 * 1024 * 1024;

    /// <summary>
    /// The most the mock broker deletes at once: one produced batch, at most librdkafka's <c>batch.size</c> default
    /// of 1,000,000 bytes, which none of this system's producers changes.
    /// </summary>
    public const long LargestBatchBytes = 1_000_000;

    /// <summary>
    /// Ingest's lag-gate settings for this broker, as environment variables: its limits are not topic configs
    /// ingest could read, so whoever starts ingest against it sets them. A partition holds only seconds of a
    /// busy stream here (5 MiB: at 50,000 logs/s over 12 partitions, about two), and between looks the gate counts
    /// every accepted event as unread, so ingest looks at the persisters' lag four times a second instead of every
    /// five seconds: looking once a second, the events accepted between looks alone filled most of the gate's
    /// share of the busiest partition, and it refused three logs in four while the persisters kept up
    /// (bench/run.sh at 50,000/s offered: 11,481/s accepted, the persister group 3,000-20,000 logs behind in all).
    /// </summary>
    public static IReadOnlyDictionary<string, string> IngestLagGateSettings { get; } = new Dictionary<string, string>
    {
        ["Ingest__TopicRetentionBytes"] = RetainedBytesPerPartition.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ingest__TopicSegmentBytes"] = LargestBatchBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ingest__LagCheckInterval"] = "00:00:00.250",
    };

    /// <summary>The brokers' addresses, <c>127.0.0.1:PORT,...</c> (new random ports at every start).</summary>
    public string BootstrapServers { get; }

    /// <summary>Closes every connection to the brokers and refuses new ones, keeping their data.</summary>
    public void TakeDown()
    {
        for (var broker = 1; broker <= _brokers; broker++)
        {
            Check(LibrdkafkaMockApi.Instance.MockBrokerSetDown(_cluster, broker), $"take broker {broker} down");
        }
    }

    /// <summary>The next <paramref name="count"/> offset commits, from any client, are answered with <paramref name="error"/>.</summary>
    public void FailNextOffsetCommits(int count, ErrorCode error)
    {
        // Kafka's API key of OffsetCommit.
        const short offsetCommit = 8;
        LibrdkafkaMockApi.Instance.MockPushRequestErrors(_cluster, offsetCommit, (UIntPtr)count, Enumerable.Repeat((int)error, count).ToArray());
    }

    /// <summary>Accepts connections again, on the same ports.</summary>
    public void BringUp()
    {
        for (var broker = 1; broker <= _brokers; broker++)
        {
            Check(LibrdkafkaMockApi.Instance.MockBrokerSetUp(_cluster, broker), $"bring broker {broker} up");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        LibrdkafkaMockApi.Instance.MockClusterDestroy(_cluster);
        LibrdkafkaMockApi.Instance.Destroy(_client);
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Could not {what}: librdkafka error {error}");
        }
    }
}
