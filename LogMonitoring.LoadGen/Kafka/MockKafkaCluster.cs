using System.Globalization;
using Confluent.Kafka;

namespace LogMonitoring.LoadGen.Kafka;

/// <summary>
/// Hosts librdkafka's mock cluster for as long as this object lives, as the AppHost does in embedded
/// mode; any client in any process reaches it through <see cref="BootstrapServers"/>.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private readonly IProducer<Null, Null> _host;

    public MockKafkaCluster(int brokers)
    {
        var config = new ProducerConfig { ClientId = "logmonitoring-bench-kafka" };
        config.Set("test.mock.num.brokers", brokers.ToString(CultureInfo.InvariantCulture));
        _host = new ProducerBuilder<Null, Null>(config).Build();
        using var admin = new DependentAdminClientBuilder(_host.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        BootstrapServers = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
    }

    public string BootstrapServers { get; }

    public void Dispose() => _host.Dispose();
}
