using Aspire.Hosting.ApplicationModel;
using LogMonitoring.AppHost.BackingServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.AppHost.Monitoring;

/// <summary>
/// Prometheus, Alertmanager and Grafana, configured from the repository's <c>deploy/prometheus</c>,
/// <c>deploy/alertmanager</c> and <c>grafana</c> folders (the same files Kubernetes uses). Containers mode
/// runs all three as containers; embedded mode runs the <c>prometheus</c> and <c>prometheus-alertmanager</c>
/// executables when they are on the PATH (Grafana needs a container engine).
/// </summary>
public static class MonitoringExtensions
{
    public const string PrometheusImage = "prom/prometheus";
    public const string PrometheusTag = "v2.55.1";
    public const string GrafanaImage = "grafana/grafana";
    public const string GrafanaTag = "11.6.0";
    public const string EnabledKey = "LogMonitoring:Prometheus";

    /// <summary>Where Prometheus answers on this machine, or null when this run has none (the explorer's pipeline view needs it).</summary>
    public static Uri? AddMonitoring(
        this IDistributedApplicationBuilder builder,
        BackingServices.BackingServices backing,
        IResourceBuilder<ParameterResource> apiKey,
        params IResourceBuilder<ProjectResource>[] services)
    {
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var prometheusFolder = Path.Combine(repository, "deploy", "prometheus");
        var enabled = !string.Equals(builder.Configuration[EnabledKey], "false", StringComparison.OrdinalIgnoreCase);
        if (!enabled || builder.ExecutionContext.IsPublishMode || backing.Mode == BackingServiceMode.External)
        {
            return null;
        }

        var dataPath = Path.GetFullPath(builder.Configuration[BackingServiceExtensions.DataPathKey] ?? Path.Combine(builder.AppHostDirectory, ".data"));
        if (backing.Mode == BackingServiceMode.Containers)
        {
            ReplicaTargets.WriteWhenAllocated(builder, prometheusFolder, "host.docker.internal", services);
            builder.AddAlertmanagerContainer(repository);
            ReplicaTargets.WriteAlertmanager(builder, prometheusFolder, AlertmanagerExtensions.ContainerAddress);
            var prometheus = builder.AddContainer("prometheus", PrometheusImage, PrometheusTag)
                .WithBindMount(prometheusFolder, "/etc/prometheus", isReadOnly: true)
                .WithVolume("logmonitoring-prometheus-data", "/prometheus")
                .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.enable-lifecycle")
                // The services run on the host; this name reaches it from the container on Linux too.
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
                .WithHttpEndpoint(port: 9090, targetPort: 9090, name: "http")
                .WithHttpHealthCheck("/-/ready");

            var adminPassword = builder.AddParameter("grafana-admin-password", new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true, persist: true);
            var stats = services.Single(s => s.Resource.Name == "stats");
            builder.AddContainer("grafana", GrafanaImage, GrafanaTag)
                .WithBindMount(Path.Combine(repository, "grafana", "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
                .WithBindMount(Path.Combine(repository, "grafana", "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true)
                .WithVolume("logmonitoring-grafana-data", "/var/lib/grafana")
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
                .WithEnvironment("GF_INSTALL_PLUGINS", "yesoreyeram-infinity-datasource")
                .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "true")
                .WithEnvironment("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer")
                .WithEnvironment("GF_SECURITY_ADMIN_USER", "admin")
                .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", adminPassword)
                .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/logmonitoring-overview.json")
                .WithEnvironment("LOGMON_PROMETHEUS_URL", "http://prometheus:9090")
                .WithEnvironment("LOGMON_ALERTMANAGER_URL", "http://" + AlertmanagerExtensions.ContainerAddress)
                .WithEnvironment(context => context.EnvironmentVariables["LOGMON_STATS_URL"] =
                    ReferenceExpression.Create($"http://host.docker.internal:{stats.GetEndpoint("http").Property(EndpointProperty.Port)}"))
                .WithEnvironment("LOGMON_STATS_API_KEY", apiKey)
                .WithHttpEndpoint(port: 3000, targetPort: 3000, name: "http")
                .WithHttpHealthCheck("/api/health")
                .WaitFor(prometheus);
            return LocalPrometheus;
        }

        // Embedded: the Debian/Homebrew binaries, if there are; Grafana needs a container engine.
        var alertmanager = builder.AddAlertmanagerProcess(repository, dataPath);
        ReplicaTargets.WriteAlertmanager(builder, prometheusFolder, alertmanager is null ? null : $"localhost:{AlertmanagerExtensions.Port}");

        var executable = FindOnPath("prometheus");
        if (executable is null)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LogMonitoring.AppHost")
                    .LogInformation("Monitoring: no 'prometheus' executable on the PATH, so Prometheus is skipped (install it, e.g. apt-get install prometheus); Grafana needs containers mode");
                return Task.CompletedTask;
            });
            return null;
        }

        ReplicaTargets.WriteWhenAllocated(builder, prometheusFolder, "localhost", services);
        builder.AddExecutable("prometheus", executable, prometheusFolder,
                "--config.file=prometheus.yml", $"--storage.tsdb.path={Path.Combine(dataPath, "prometheus")}", "--web.enable-lifecycle")
            .WithHttpEndpoint(port: 9090, name: "http", env: null, isProxied: false)
            .WithArgs(context => context.Args.Add("--web.listen-address=127.0.0.1:9090"))
            .WithHttpHealthCheck("/-/ready");
        return LocalPrometheus;
    }

    /// <summary>Both the container and the Debian binary listen on the machine's port 9090.</summary>
    private static readonly Uri LocalPrometheus = new("http://localhost:9090");

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
