using System.Text.RegularExpressions;
using k8s.Models;
using YamlDotNet.Serialization;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// Prometheus and Grafana in Kubernetes use the repository's own monitoring files, byte for byte
/// (one copy, no drift); only the scrape discovery differs, and it scrapes the same jobs.
/// </summary>
public partial class MonitoringConfigTests
{
    private static readonly IDeserializer s_yaml = new DeserializerBuilder().Build();

    /// <summary>Each generated ConfigMap and the repository folder and file pattern it must mirror.</summary>
    public static TheoryData<string, string, string> GeneratedFromRepositoryFiles => new()
    {
        { "prometheus-rules", "deploy/prometheus/rules", "*.yml" },
        { "alertmanager-config", "deploy/alertmanager", "*" },
        { "grafana-datasources", "grafana/provisioning/datasources", "*.yaml" },
        { "grafana-dashboard-providers", "grafana/provisioning/dashboards", "*.yaml" },
        { "grafana-alerting", "grafana/provisioning/alerting", "*.yaml" },
        { "grafana-dashboards", "grafana/dashboards", "*.json" },
    };

    private readonly RenderedOverlay _rendered = RenderedOverlay.Load("gke");

    [Theory]
    [MemberData(nameof(GeneratedFromRepositoryFiles))]
    public void Config_map_holds_exactly_the_repositorys_files(string configMap, string folder, string pattern)
    {
        var directory = RepositoryRoot.PathOf(folder.Split('/'));
        Assert.True(Directory.Exists(directory), $"{folder} is missing: the manifests generate {configMap} from it");
        var files = Directory.EnumerateFiles(directory, pattern).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        var data = ConfigMapNamed(configMap).Data;
        Assert.Equal(files.Keys.Order(), data.Keys.Order());
        Assert.All(files, file => Assert.Equal(file.Value, data[file.Key]));
    }

    [Fact]
    public void Kubernetes_prometheus_scrapes_the_same_jobs_with_the_same_global_settings()
    {
        var shared = LoadYaml(File.ReadAllText(RepositoryRoot.PathOf("deploy", "prometheus", "prometheus.yml")));
        var kubernetes = LoadYaml(ConfigMapNamed("prometheus-config").Data["prometheus.yml"]);

        Assert.Equal(Canonical(shared["global"]), Canonical(kubernetes["global"]));
        var sharedJobs = Jobs(shared).Keys.ToHashSet();
        var kubernetesJobs = Jobs(kubernetes);
        // Kubernetes adds Prometheus itself, the kubelets (volume statistics for the disk alerts) and the
        // explorer's replicas (only there does it run several, behind cookie affinity).
        Assert.Equal(sharedJobs.Order(), kubernetesJobs.Keys.Where(j => j is not ("prometheus" or "kubelet" or "explorer")).Order());

        foreach (var job in sharedJobs.Append("explorer"))
        {
            // Each job keeps the pods whose app.kubernetes.io/name is the job's name, on their "http" port.
            var relabels = ((List<object>)kubernetesJobs[job]["relabel_configs"]).Cast<Dictionary<object, object>>().ToList();
            Assert.Contains(relabels, r => (string)r["action"] == "keep" && (string)r["regex"] == job
                && ((List<object>)r["source_labels"]).Single() is "__meta_kubernetes_pod_label_app_kubernetes_io_name");
            Assert.Contains(relabels, r => (string)r["action"] == "keep" && (string)r["regex"] == "http");
            Assert.True(_rendered.All<V1Deployment>().Any(d => d.Spec.Template.Metadata.Labels["app.kubernetes.io/name"] == job), $"a Deployment runs job {job}'s pods");
        }
    }

    [Fact]
    public void Prometheus_loads_the_rules_from_where_the_rules_config_map_is_mounted()
    {
        var config = LoadYaml(ConfigMapNamed("prometheus-config").Data["prometheus.yml"]);
        var prometheus = _rendered.Single<V1StatefulSet>("prometheus").Spec.Template.Spec;
        var rulesVolume = prometheus.Volumes.Single(v => v.ConfigMap?.Name == ConfigMapNamed("prometheus-rules").Metadata.Name).Name;
        var mount = prometheus.Containers.Single().VolumeMounts.Single(m => m.Name == rulesVolume).MountPath;

        Assert.Equal([$"{mount}/*.yml"], ((List<object>)config["rule_files"]).Cast<string>());
        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", prometheus.Containers.Single().Args);
    }

    [Fact]
    public void Grafana_finds_the_dashboards_where_the_provider_says_and_every_variable_the_provisioning_uses()
    {
        var grafana = Assert.Single(_rendered.Single<V1Deployment>("grafana").Spec.Template.Spec.Containers);
        var pod = _rendered.Single<V1Deployment>("grafana").Spec.Template.Spec;
        string MountOf(string configMap) =>
            grafana.VolumeMounts.Single(m => m.Name == pod.Volumes.Single(v => v.ConfigMap?.Name == ConfigMapNamed(configMap).Metadata.Name).Name).MountPath;

        Assert.Equal("/etc/grafana/provisioning/datasources", MountOf("grafana-datasources"));
        Assert.Equal("/etc/grafana/provisioning/dashboards", MountOf("grafana-dashboard-providers"));
        Assert.Equal("/etc/grafana/provisioning/alerting", MountOf("grafana-alerting"));
        foreach (var provider in ConfigMapNamed("grafana-dashboard-providers").Data.Values)
        {
            var providers = (List<object>)LoadYaml(provider)["providers"];
            Assert.All(providers.Cast<Dictionary<object, object>>(), p =>
                Assert.Equal(MountOf("grafana-dashboards"), ((Dictionary<object, object>)p["options"])["path"]));
        }

        var environment = ContainerEnvironment.Of(_rendered, grafana);
        var used = ConfigMapNamed("grafana-datasources").Data.Values
            .SelectMany(f => f.Split('\n').Where(l => !l.TrimStart().StartsWith('#')))
            .SelectMany(l => EnvironmentReference().Matches(l).Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(environment.ContainsKey(name), $"Grafana's environment sets {name}"));
    }

    [Fact]
    public void Grafana_reaches_prometheus_and_the_stats_api_through_their_services()
    {
        var environment = ContainerEnvironment.Of(_rendered, Assert.Single(_rendered.Single<V1Deployment>("grafana").Spec.Template.Spec.Containers));
        foreach (var (variable, service) in new[] { ("LOGMON_PROMETHEUS_URL", "prometheus"), ("LOGMON_ALERTMANAGER_URL", "alertmanager"), ("LOGMON_STATS_URL", "stats") })
        {
            var url = new Uri(environment[variable]);
            Assert.Equal(service, url.Host);
            Assert.Contains(_rendered.Single<V1Service>(service).Spec.Ports, p => p.Port == url.Port);
        }

        Assert.Contains("yesoreyeram-infinity-datasource", environment["GF_INSTALL_PLUGINS"]);
    }

    [Fact]
    public void Public_services_keep_their_metrics_for_the_key_prometheus_sends()
    {
        var config = LoadYaml(ConfigMapNamed("prometheus-config").Data["prometheus.yml"]);
        var prometheus = _rendered.Single<V1StatefulSet>("prometheus").Spec.Template.Spec;
        var backends = _rendered.All<V1Ingress>().SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths)
            .Select(p => p.Backend.Service.Name).Where(n => n is "ingest" or "stats" or "persister" or "explorer").Distinct().Order().ToList();
        Assert.Equal(["explorer", "ingest", "stats"], backends);
        foreach (var service in backends)
        {
            var container = Assert.Single(_rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers);
            var environment = ContainerEnvironment.Of(_rendered, container);
            Assert.Equal("true", environment["ApiKeys__ProtectMetrics"]);

            // The key Prometheus sends is a key of the service's with the metrics:read scope alone.
            var credentials = (string)((Dictionary<object, object>)Jobs(config)[service]["authorization"])["credentials_file"];
            var mount = prometheus.Containers.Single().VolumeMounts.Single(m => credentials.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
            var secret = prometheus.Volumes.Single(v => v.Name == mount.Name).Secret;
            var secretKey = secret.Items.Single(i => credentials == $"{mount.MountPath}/{i.Path}").Key;
            var keyVariable = Assert.Single(container.Env, e => e.ValueFrom?.SecretKeyRef is { } r && r.Name == secret.SecretName && r.Key == secretKey).Name;
            var index = keyVariable.Split("__")[2];
            Assert.Equal(["metrics:read"], environment.Where(e => e.Key.StartsWith($"ApiKeys__Keys__{index}__Scopes__", StringComparison.Ordinal)).Select(e => e.Value));
        }
    }

    private V1ConfigMap ConfigMapNamed(string name) =>
        _rendered.All<V1ConfigMap>().SingleOrDefault(c => c.Metadata.Name.StartsWith(name + "-", StringComparison.Ordinal) && c.Metadata.Name.Length == name.Length + 11)
            ?? throw new InvalidOperationException($"No ConfigMap generated as {name}.");

    private static Dictionary<object, object> LoadYaml(string text) => s_yaml.Deserialize<Dictionary<object, object>>(text);

    private static Dictionary<string, Dictionary<object, object>> Jobs(Dictionary<object, object> config) =>
        ((List<object>)config["scrape_configs"]).Cast<Dictionary<object, object>>().ToDictionary(j => (string)j["job_name"]);

    /// <summary>A parsed YAML value as text with mapping keys sorted, to compare two documents' sections.</summary>
    private static string Canonical(object? value) => value switch
    {
        Dictionary<object, object> map => "{" + string.Join(",", map.OrderBy(e => e.Key.ToString(), StringComparer.Ordinal).Select(e => $"{e.Key}:{Canonical(e.Value)}")) + "}",
        List<object> list => "[" + string.Join(",", list.Select(Canonical)) + "]",
        _ => value?.ToString() ?? "null",
    };

    // Grafana expands $NAME and ${NAME} in provisioning files ($__name is a query macro, not a variable).
    [GeneratedRegex(@"\$\{?([A-Za-z][A-Za-z0-9_]*)\}?")]
    private static partial Regex EnvironmentReference();
}
