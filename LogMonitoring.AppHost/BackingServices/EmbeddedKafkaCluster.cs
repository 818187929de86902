using Confluent.Kafka;

namespace LogMonitoring.AppHost.BackingServices;

/// <summary>
/// librdkafka's mock cluster, hosted by this process for as long as the AppHost runs. It speaks the
/// real Kafka protocol on 127.0.0.1, so the services use it through their ordinary clients. It keeps
/// everything in memory and is a development stand-in, not a broker for production.
/// </summary>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private readonly IProducer<Null, Null> _host;

    public EmbeddedKafkaCluster(int brokers = 1)
    {
        var config = new ProducerConfig { ClientId = "logmonitoring-embedded-kafka" };
        config.Set("test.mock.num.brokers", brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _host = new ProducerBuilder<Null, Null>(config).Build();

        using var admin = new DependentAdminClientBuilder(_host.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        BootstrapServers = string.Join(",", metadata.Brokers.Select(b => $"{b.Host}:{b.Port}"));
    }

    /// <summary>The brokers' addresses (a new random port at every start).</summary>
    public string BootstrapServers { get; }

    public void Dispose() => _host.Dispose();
}
