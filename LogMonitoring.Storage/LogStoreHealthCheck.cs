using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LogMonitoring.Storage;

/// <summary>Ready when the schema has been created and the store answers a ping.</summary>
internal sealed class LogStoreHealthCheck(ILogStore store, LogStoreInitializer initializer) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!initializer.IsInitialized)
        {
            return HealthCheckResult.Unhealthy($"The {store.Kind} store is not initialized yet: {initializer.LastError ?? "starting"}");
        }

        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"The {store.Kind} store answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The {store.Kind} store does not answer: {ex.Message}");
        }
    }
}
