using Confluent.Kafka;
using Microsoft.Extensions.Configuration;

namespace LogMonitoring.Kafka;

/// <summary>
/// Where the services get their Kafka clients: the connection settings are applied here (<see cref="KafkaConnection"/>),
/// so a test can hand a service clients of its own (a mock cluster, a broker that is down) without its wiring changing.
/// </summary>
public interface IKafkaClientFactory
{
    IConsumer<byte[]?, byte[]?> CreateConsumer(ConsumerConfig config, Action<ConsumerBuilder<byte[]?, byte[]?>> configure);

    IProducer<byte[]?, byte[]?> CreateProducer(ProducerConfig config, Action<ProducerBuilder<byte[]?, byte[]?>> configure);
}

/// <summary>Clients for the Kafka named by <c>ConnectionStrings:kafka</c> and <c>Kafka:Client</c>.</summary>
public sealed class KafkaClientFactory(IConfiguration configuration) : IKafkaClientFactory
{
    public IConsumer<byte[]?, byte[]?> CreateConsumer(ConsumerConfig config, Action<ConsumerBuilder<byte[]?, byte[]?>> configure)
    {
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(KafkaConnection.Configure(config, configuration));
        configure(builder);
        return builder.Build();
    }

    public IProducer<byte[]?, byte[]?> CreateProducer(ProducerConfig config, Action<ProducerBuilder<byte[]?, byte[]?>> configure)
    {
        var builder = new ProducerBuilder<byte[]?, byte[]?>(KafkaConnection.Configure(config, configuration));
        configure(builder);
        return builder.Build();
    }
}
