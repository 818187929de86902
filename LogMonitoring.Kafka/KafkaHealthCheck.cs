using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LogMonitoring.Kafka;

/// <summary>Ready when a broker answers a metadata request for the topic the service uses.</summary>
public sealed class KafkaHealthCheck(KafkaAdmin admin, string topic) : IHealthCheck
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks; keep it off the request thread.
            var metadata = await Task.Run(() => admin.Client.GetMetadata(topic, s_timeout), cancellationToken);
            if (metadata.Brokers.Count == 0)
            {
                return HealthCheckResult.Unhealthy("Kafka answered with no brokers.");
            }

            var partitions = metadata.Topics.FirstOrDefault()?.Partitions.Count ?? 0;
            return HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s); topic '{topic}' has {partitions} partition(s).");
        }
        catch (Exception ex) when (ex is KafkaException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"Kafka is not reachable: {ex.Message}");
        }
    }
}

/// <summary>One admin client per process, for metadata and watermark queries; disposed with the host.</summary>
public sealed class KafkaAdmin(IConfiguration configuration) : IDisposable
{
    private readonly Lazy<IAdminClient> _client = new(() =>
        new AdminClientBuilder(KafkaConnection.Configure(new AdminClientConfig { SocketTimeoutMs = 3000 }, configuration)).Build());

    public IAdminClient Client => _client.Value;

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}

public static class KafkaHealthCheckExtensions
{
    public static IHealthChecksBuilder AddKafka(this IHealthChecksBuilder builder, string topic)
    {
        builder.Services.TryAddSingleton<KafkaAdmin>();
        builder.Services.TryAddSingleton<KafkaFatalErrors>();
        builder.Services.TryAddSingleton<IKafkaClientFactory, KafkaClientFactory>();
        builder.AddCheck<KafkaFatalErrors>("kafka-fatal", HealthStatus.Unhealthy, ["kafka"]);
        return builder.Add(new HealthCheckRegistration(
            "kafka",
            sp => new KafkaHealthCheck(sp.GetRequiredService<KafkaAdmin>(), topic),
            HealthStatus.Unhealthy,
            ["kafka"],
            TimeSpan.FromSeconds(5)));
    }
}
