using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LogMonitoring.Persister;

/// <summary>Readiness turns unhealthy while batch writes keep failing, and back once one succeeds.</summary>
public sealed class StoreWriteHealth : IHealthCheck
{
    private volatile string? _failure;

    public void Failed(string reason) => _failure = reason;

    public void Succeeded() => _failure = null;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_failure is { } failure
            ? HealthCheckResult.Unhealthy($"Batch writes are failing and being retried: {failure}")
            : HealthCheckResult.Healthy("Batch writes succeed."));
}
