using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LogMonitoring.Kafka.Mock;

/// <summary>
/// The few functions of librdkafka's mock cluster API (<c>rdkafka_mock.h</c>) that Confluent.Kafka does not
/// expose, bound to the very librdkafka library Confluent.Kafka has loaded into this process.
/// </summary>
internal sealed class LibrdkafkaMockApi
{
    public static LibrdkafkaMockApi Instance => s_instance.Value;

    private static readonly Lazy<LibrdkafkaMockApi> s_instance = new(() => new LibrdkafkaMockApi());

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

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void MockPushRequestErrorsFn(IntPtr cluster, short apiKey, UIntPtr count, int[] errors);

    private LibrdkafkaMockApi()
    {
        // Make Confluent.Kafka load librdkafka first, then find the file it loaded (Linux, macOS and Windows list it alike).
        _ = Confluent.Kafka.Library.Version;
        using var process = Process.GetCurrentProcess();
        var path = process.Modules.Cast<ProcessModule>()
            .Select(module => module.FileName)
            .FirstOrDefault(file => Path.GetFileName(file).Contains("librdkafka", StringComparison.OrdinalIgnoreCase) &&
                                    !Path.GetFileName(file).Contains("librdkafkacpp", StringComparison.OrdinalIgnoreCase))
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
        MockPushRequestErrors = Bind<MockPushRequestErrorsFn>(library, "rd_kafka_mock_push_request_errors_array");
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

    public MockPushRequestErrorsFn MockPushRequestErrors { get; }

    private static T Bind<T>(IntPtr library, string name)
        where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));
}
