using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.AppHost.Monitoring;

/// <summary>
/// Alertmanager, which turns the alerts Prometheus (and Grafana) raise into Slack, Discord and webhook
/// notifications. Its configuration is <c>deploy/alertmanager/alertmanager.yml</c>, the file every other
/// way of running the system uses; <c>render-config.sh</c> adds the receivers whose addresses are set
/// (AppHost parameters <c>alert-*</c>, kept in user secrets) before Alertmanager starts, in the container
/// and for the process alike.
/// </summary>
public static class AlertmanagerExtensions
{
    public const string Image = "prom/alertmanager";
    public const string Tag = "v0.28.1";
    public const int Port = 9093;

    /// <summary>Where the Prometheus and Grafana containers reach the Alertmanager container.</summary>
    public const string ContainerAddress = "alertmanager:9093";
    public const string GroupWaitKey = "LogMonitoring:Alertmanager:GroupWait";
    public const string GroupIntervalKey = "LogMonitoring:Alertmanager:GroupInterval";

    /// <summary>The receivers' addresses: parameter name -> the variable render-config.sh reads.</summary>
    private static readonly (string Parameter, string Variable)[] s_receivers =
    [
        ("alert-slack-webhook-url", "LOGMON_ALERT_SLACK_WEBHOOK_URL"),
        ("alert-slack-channel", "LOGMON_ALERT_SLACK_CHANNEL"),
        ("alert-discord-webhook-url", "LOGMON_ALERT_DISCORD_WEBHOOK_URL"),
        ("alert-webhook-url", "LOGMON_ALERT_WEBHOOK_URL"),
    ];

    /// <summary>The Alertmanager container, answering other containers as <c>alertmanager:9093</c>.</summary>
    public static IResourceBuilder<ContainerResource> AddAlertmanagerContainer(this IDistributedApplicationBuilder builder, string repository) =>
        builder.AddContainer("alertmanager", Image, Tag)
            .WithBindMount(Path.Combine(repository, "deploy", "alertmanager"), "/etc/alertmanager", isReadOnly: true)
            .WithVolume("logmonitoring-alertmanager-data", "/alertmanager")
            .WithEntrypoint("/bin/sh")
            .WithArgs(
                "/etc/alertmanager/render-config.sh", "/alertmanager/alertmanager.yml",
                "/bin/alertmanager", "--config.file=/alertmanager/alertmanager.yml", "--storage.path=/alertmanager",
                // One instance: no peers to gossip silences with.
                "--cluster.listen-address=")
            .WithReceivers(builder)
            .WithHttpEndpoint(port: Port, targetPort: Port, name: "http")
            .WithHttpHealthCheck("/-/ready");

    /// <summary>
    /// Debian's <c>prometheus-alertmanager</c> (Homebrew's <c>alertmanager</c>) as a process on
    /// 127.0.0.1:9093, or null (with a log line saying why) when neither is on the PATH.
    /// </summary>
    public static IResourceBuilder<ExecutableResource>? AddAlertmanagerProcess(this IDistributedApplicationBuilder builder, string repository, string dataPath)
    {
        var executable = MonitoringExtensions.FindOnPath("prometheus-alertmanager") ?? MonitoringExtensions.FindOnPath("alertmanager");
        var shell = MonitoringExtensions.FindOnPath("sh");
        if (executable is null || shell is null)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LogMonitoring.AppHost")
                    .LogInformation("Monitoring: no 'prometheus-alertmanager' executable on the PATH, so Alertmanager is skipped and alerts notify no one (install it, e.g. apt-get install prometheus-alertmanager)");
                return Task.CompletedTask;
            });
            return null;
        }

        var folder = Path.Combine(repository, "deploy", "alertmanager");
        var storage = Path.Combine(dataPath, "alertmanager");
        var config = Path.Combine(storage, "alertmanager.yml");
        return builder.AddExecutable("alertmanager", shell, folder,
                Path.Combine(folder, "render-config.sh"), config,
                executable, $"--config.file={config}", $"--storage.path={storage}",
                $"--web.listen-address=127.0.0.1:{Port}", "--cluster.listen-address=")
            .WithReceivers(builder)
            .WithHttpEndpoint(port: Port, name: "http", env: null, isProxied: false)
            .WithHttpHealthCheck("/-/ready");
    }

    private static IResourceBuilder<T> WithReceivers<T>(this IResourceBuilder<T> alertmanager, IDistributedApplicationBuilder builder)
        where T : IResourceWithEnvironment
    {
        foreach (var (parameter, variable) in s_receivers)
        {
            // Only the receivers whose address is set (user secrets: Parameters:alert-slack-webhook-url);
            // a secret parameter keeps the address out of the dashboard's plain view.
            if (!string.IsNullOrEmpty(builder.Configuration[$"Parameters:{parameter}"]))
            {
                alertmanager.WithEnvironment(variable, builder.AddParameter(parameter, secret: true));
            }
        }

        // Shorter waits make a notification arrive sooner (tests); the file's own values suit people.
        foreach (var (key, variable) in new[] { (GroupWaitKey, "LOGMON_ALERT_GROUP_WAIT"), (GroupIntervalKey, "LOGMON_ALERT_GROUP_INTERVAL") })
        {
            if (builder.Configuration[key] is { Length: > 0 } value)
            {
                alertmanager.WithEnvironment(variable, value);
            }
        }

        return alertmanager;
    }
}
