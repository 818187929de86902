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

/// <summary>
/// Readiness of a client that hit a fatal error (an idempotent producer that lost its sequence, a fenced
/// consumer): librdkafka never recovers such a client, so the service must not look ready behind it.
/// </summary>
public sealed class KafkaFatalErrors : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    private volatile string? _fatal;

    public bool Any => _fatal is not null;

    /// <summary>Records <paramref name="error"/> when it is fatal; other errors are librdkafka's to retry.</summary>
    public void Observe(string client, Error error)
    {
        if (error.IsFatal)
        {
            _fatal = $"{client}: {error.Code} {error.Reason}";
        }
    }

    public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_fatal is { } fatal
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy($"A Kafka client hit a fatal error and cannot recover until the service restarts: {fatal}")
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("No fatal Kafka client error."));
}
