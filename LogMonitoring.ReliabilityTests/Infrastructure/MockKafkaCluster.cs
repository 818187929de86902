using System.Runtime.InteropServices;
using System.Text;

namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>
/// librdkafka's mock cluster, hosted in the test process through librdkafka's own mock API, so a test
/// can take the broker down and bring it back on the same port with its data and committed offsets
/// intact: the "Kafka goes away" fault. Confluent.Kafka does not expose this API; the functions are
/// looked up in the very librdkafka library Confluent.Kafka has loaded.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private const int BrokerId = 1;
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private bool _disposed;

    public MockKafkaCluster(IReadOnlyDictionary<string, int>? topics = null)
    {
        var rdkafka = Native.Instance;
        var error = new byte[512];
        // The mock cluster needs a client instance to host it; a producer with default settings will do.
        var conf = rdkafka.ConfNew();
        // The host client never connects anywhere; keep its "no bootstrap.servers" notice out of the test output.
        rdkafka.ConfSet(conf, "log_level", "4", error, (UIntPtr)error.Length);
        _client = rdkafka.New(0, conf, error, (UIntPtr)error.Length);
        if (_client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(error).TrimEnd('\0')}");
        }

        _cluster = rdkafka.MockClusterNew(_client, 1);
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

    public string BootstrapServers { get; }

    /// <summary>Closes every connection to the broker and refuses new ones, keeping its data.</summary>
    public void TakeDown() => Check(Native.Instance.MockBrokerSetDown(_cluster, BrokerId), "take the broker down");

    /// <summary>Accepts connections again, on the same port.</summary>
    public void BringUp() => Check(Native.Instance.MockBrokerSetUp(_cluster, BrokerId), "bring the broker up");

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Native.Instance.MockClusterDestroy(_cluster);
        Native.Instance.Destroy(_client);
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Could not {what}: librdkafka error {error}");
        }
    }

    /// <summary>The few librdkafka functions used here, bound to the library Confluent.Kafka loaded.</summary>
    private sealed class Native
    {
        public static Native Instance { get; } = new();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr ConfNewFn();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int ConfSetFn(IntPtr conf, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, byte[] errstr, UIntPtr errstrSize);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr NewFn(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void DestroyFn(IntPtr handle);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr MockClusterNewFn(IntPtr client, int brokers);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr MockClusterBootstrapsFn(IntPtr cluster);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int MockBrokerFn(IntPtr cluster, int brokerId);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int MockTopicCreateFn(IntPtr cluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);

        private Native()
        {
            // Make Confluent.Kafka load librdkafka first, then find the file it loaded.
            _ = Confluent.Kafka.Library.Version;
            var path = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6 && parts[5].Contains("librdkafka", StringComparison.Ordinal))
                .Select(parts => parts[5])
                .FirstOrDefault()
                ?? throw new InvalidOperationException("librdkafka is not loaded in this process");
            var library = NativeLibrary.Load(path);
            ConfNew = Bind<ConfNewFn>(library, "rd_kafka_conf_new");
            ConfSet = Bind<ConfSetFn>(library, "rd_kafka_conf_set");
            New = Bind<NewFn>(library, "rd_kafka_new");
            Destroy = Bind<DestroyFn>(library, "rd_kafka_destroy");
            MockClusterNew = Bind<MockClusterNewFn>(library, "rd_kafka_mock_cluster_new");
            MockClusterBootstraps = Bind<MockClusterBootstrapsFn>(library, "rd_kafka_mock_cluster_bootstraps");
            MockClusterDestroy = Bind<DestroyFn>(library, "rd_kafka_mock_cluster_destroy");
            MockBrokerSetDown = Bind<MockBrokerFn>(library, "rd_kafka_mock_broker_set_down");
            MockBrokerSetUp = Bind<MockBrokerFn>(library, "rd_kafka_mock_broker_set_up");
            MockTopicCreate = Bind<MockTopicCreateFn>(library, "rd_kafka_mock_topic_create");
        }

        public ConfNewFn ConfNew { get; }

        public ConfSetFn ConfSet { get; }

        public NewFn New { get; }

        public DestroyFn Destroy { get; }

        public MockClusterNewFn MockClusterNew { get; }

        public MockClusterBootstrapsFn MockClusterBootstraps { get; }

        public DestroyFn MockClusterDestroy { get; }

        public MockBrokerFn MockBrokerSetDown { get; }

        public MockBrokerFn MockBrokerSetUp { get; }

        public MockTopicCreateFn MockTopicCreate { get; }

        private static T Bind<T>(IntPtr library, string name)
            where T : Delegate =>
            Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));
    }
}
