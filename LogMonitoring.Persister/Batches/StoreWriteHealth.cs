using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LogMonitoring.Persister.Batches;

/// <summary>
/// Readiness turns unhealthy while a batch cannot be written (the store is away, or the dead-letter topic
/// does not take what can never be stored), and back once one is written. The consumer backs off meanwhile.
/// </summary>
public sealed class StoreWriteHealth : IHealthCheck
{
    private volatile string? _failure;

    public bool IsFailing => _failure is not null;

    public void Failed(string reason) => _failure = reason;

    public void Succeeded() => _failure = null;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_failure is { } failure
            ? HealthCheckResult.Unhealthy($"Batch writes are failing; backing off with the partitions paused: {failure}")
            : HealthCheckResult.Healthy("Batch writes succeed."));
}
