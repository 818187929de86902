using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LogMonitoring.Kafka;

/// <summary>
/// Readiness of a client that hit a fatal error (an idempotent producer that lost its sequence, a fenced
/// consumer): librdkafka never recovers such a client, so the service must not look ready behind it.
/// </summary>
public sealed class KafkaFatalErrors : IHealthCheck
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

    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_fatal is { } fatal
            ? HealthCheckResult.Unhealthy($"A Kafka client hit a fatal error and cannot recover until the service restarts: {fatal}")
            : HealthCheckResult.Healthy("No fatal Kafka client error."));
}
