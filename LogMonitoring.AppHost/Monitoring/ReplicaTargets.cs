using System.Collections.Concurrent;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LogMonitoring.AppHost.Monitoring;

/// <summary>
/// Prometheus' file-based discovery targets (<c>deploy/prometheus/targets/NAME.json</c>): first the
/// address Aspire exposes for each service, then, as each replica starts, every replica's own port (the
/// one the orchestrator gave it), so each persister replica is scraped on its own and its counters are
/// never mixed with another's behind the shared proxy. Prometheus rereads the files by itself.
/// </summary>
internal static class ReplicaTargets
{
    public static void WriteWhenAllocated(IDistributedApplicationBuilder builder, string prometheusFolder, string host, IResourceBuilder<ProjectResource>[] services)
    {
        var targets = Path.Combine(prometheusFolder, "targets");
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            Directory.CreateDirectory(targets);
            foreach (var service in services)
            {
                var endpoint = service.Resource.Annotations.OfType<EndpointAnnotation>().First(e => e.Name == "http");
                if ((endpoint.Port ?? endpoint.TargetPort) is { } port)
                {
                    Write(targets, service.Resource.Name, host, [port]);
                }
            }

            return Task.CompletedTask;
        });

        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((e, cancellationToken) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => FollowReplicasAsync(notifications, targets, host, services, stopping), stopping);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// <c>targets/alertmanager.json</c>: where Prometheus sends its alerts (<c>alerting</c> in prometheus.yml),
    /// or no file when no Alertmanager runs, so an address left by an earlier run is not tried in vain.
    /// </summary>
    public static void WriteAlertmanager(IDistributedApplicationBuilder builder, string prometheusFolder, string? address) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            var targets = Path.Combine(prometheusFolder, "targets");
            var file = Path.Combine(targets, "alertmanager.json");
            if (address is null)
            {
                File.Delete(file);
                return Task.CompletedTask;
            }

            Directory.CreateDirectory(targets);
            File.WriteAllText(file, JsonSerializer.Serialize(new[] { new { targets = new[] { address } } }));
            return Task.CompletedTask;
        });

    private static async Task FollowReplicasAsync(
        ResourceNotificationService notifications, string targets, string host, IResourceBuilder<ProjectResource>[] services, CancellationToken stopping)
    {
        // Per service: replica id -> its own port, while the replica runs.
        var replicas = services.ToDictionary(s => s.Resource.Name, _ => new ConcurrentDictionary<string, int>());
        try
        {
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                if (!replicas.TryGetValue(update.Resource.Name, out var ports) || update.Resource is not ProjectResource)
                {
                    continue;
                }

                var running = update.Snapshot.State?.Text == KnownResourceStates.Running;
                bool changed;
                if (running && OwnPort(update.Snapshot) is { } value)
                {
                    changed = !ports.TryGetValue(update.ResourceId, out var known) || known != value;
                    ports[update.ResourceId] = value;
                }
                else
                {
                    changed = ports.TryRemove(update.ResourceId, out _);
                }

                if (changed && !ports.IsEmpty)
                {
                    Write(targets, update.Resource.Name, host, [.. ports.Values.Order()]);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The AppHost is stopping.
        }
    }

    /// <summary>The port this replica itself listens on, as the orchestrator told it (ASPNETCORE_URLS or HTTP_PORTS).</summary>
    private static int? OwnPort(CustomResourceSnapshot snapshot)
    {
        var variables = snapshot.EnvironmentVariables.ToDictionary(v => v.Name, v => v.Value ?? "");
        if (variables.TryGetValue("HTTP_PORTS", out var ports) && int.TryParse(ports.Split(';')[0], out var port))
        {
            return port;
        }

        return variables.TryGetValue("ASPNETCORE_URLS", out var urls) &&
            urls.Split(';').Select(u => Uri.TryCreate(u.Replace("*", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
                .FirstOrDefault(u => u?.Scheme == Uri.UriSchemeHttp) is { } url
            ? url.Port
            : null;
    }

    private static void Write(string targets, string service, string host, IReadOnlyList<int> ports) =>
        File.WriteAllText(
            Path.Combine(targets, $"{service}.json"),
            JsonSerializer.Serialize(new[] { new { targets = ports.Select(p => $"{host}:{p}").ToArray() } }));
}
