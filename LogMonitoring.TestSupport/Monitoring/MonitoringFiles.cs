using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogMonitoring.TestSupport.Monitoring;

/// <summary>One Prometheus query somewhere in the monitoring files, and where it is.</summary>
public sealed record MonitoringQuery(string Origin, string Expression);

/// <summary>
/// The repository's monitoring files (grafana/ and deploy/prometheus/), loaded for tests. The integration
/// test that scrapes the running services uses <see cref="MetricNamesUsed"/> to check that everything the
/// dashboards and alerts read is really exported.
/// </summary>
public static class MonitoringFiles
{
    public const string PrometheusDataSourceUid = "logmon-prometheus";
    public const string StatsApiDataSourceUid = "logmon-stats-api";

    public static string PrometheusDirectory => RepositoryRoot.PathOf("deploy", "prometheus");

    public static string GrafanaDirectory => RepositoryRoot.PathOf("grafana");

    public static IReadOnlyList<string> DashboardFiles() =>
        Directory.GetFiles(Path.Combine(GrafanaDirectory, "dashboards"), "*.json").Order(StringComparer.Ordinal).ToList();

    public static JsonObject LoadDashboard(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false })!.AsObject();

    public static IReadOnlyList<(string File, JsonObject Dashboard)> Dashboards() =>
        DashboardFiles().Select(f => (Path.GetFileName(f), LoadDashboard(f))).ToList();

    /// <summary>Every panel, including those nested in collapsed rows.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]?.AsArray() ?? [])
        {
            yield return panel!.AsObject();
            foreach (var nested in panel["panels"]?.AsArray() ?? [])
            {
                yield return nested!.AsObject();
            }
        }
    }

    public static IEnumerable<JsonObject> Variables(JsonObject dashboard) =>
        (dashboard["templating"]?["list"]?.AsArray() ?? []).Select(v => v!.AsObject());

    /// <summary>The provisioned Grafana data sources: uid and plugin type.</summary>
    public static IReadOnlyList<(string Uid, string Type, string File)> DataSources() =>
        YamlFiles(Path.Combine(GrafanaDirectory, "provisioning", "datasources"))
            .SelectMany(f => (f.Root?["datasources"]?.AsArray() ?? []).Select(d => (
                Uid: (string?)d!["uid"] ?? throw new InvalidDataException($"{f.Name}: a data source without uid"),
                Type: (string?)d["type"] ?? "",
                File: f.Name)))
            .ToList();

    /// <summary>Grafana-managed alert rules from grafana/provisioning/alerting.</summary>
    public static IReadOnlyList<JsonObject> GrafanaAlertRules() =>
        YamlFiles(Path.Combine(GrafanaDirectory, "provisioning", "alerting"))
            .SelectMany(f => f.Root?["groups"]?.AsArray() ?? [])
            .SelectMany(g => g!["rules"]?.AsArray() ?? [])
            .Select(r => r!.AsObject())
            .ToList();

    public static IReadOnlyList<string> GrafanaAlertingFiles() =>
        Directory.GetFiles(Path.Combine(GrafanaDirectory, "provisioning", "alerting"), "*.yaml").Order(StringComparer.Ordinal).ToList();

    /// <summary>Every rule (recording and alerting) in deploy/prometheus/rules.</summary>
    public static IReadOnlyList<JsonObject> PrometheusRules() =>
        YamlFiles(Path.Combine(PrometheusDirectory, "rules"), "*.yml")
            .SelectMany(f => f.Root?["groups"]?.AsArray() ?? [])
            .SelectMany(g => g!["rules"]?.AsArray() ?? [])
            .Select(r => r!.AsObject())
            .ToList();

    public static IReadOnlyList<JsonObject> PrometheusAlerts() => PrometheusRules().Where(r => r["alert"] is not null).ToList();

    public static IReadOnlySet<string> RecordingRuleNames() =>
        PrometheusRules().Select(r => (string?)r["record"]).OfType<string>().ToHashSet(StringComparer.Ordinal);

    public static JsonObject PrometheusConfig() =>
        YamlDocument.Load(Path.Combine(PrometheusDirectory, "prometheus.yml"))!.AsObject();

    public static IReadOnlyList<string> ScrapeJobs() =>
        (PrometheusConfig()["scrape_configs"]?.AsArray() ?? []).Select(j => (string)j!["job_name"]!).ToList();

    /// <summary>Every Prometheus query: dashboard panels and variables, Prometheus rules, Grafana alert rules.</summary>
    public static IReadOnlyList<MonitoringQuery> Queries()
    {
        var queries = new List<MonitoringQuery>();
        foreach (var (file, dashboard) in Dashboards())
        {
            foreach (var panel in Panels(dashboard))
            {
                foreach (var target in panel["targets"]?.AsArray() ?? [])
                {
                    var uid = (string?)(target!["datasource"] ?? panel["datasource"])?["uid"];
                    if (uid == PrometheusDataSourceUid && (string?)target["expr"] is { } expr)
                    {
                        queries.Add(new($"{file}: panel '{panel["title"]}' query {target["refId"]}", expr));
                    }
                }
            }

            foreach (var variable in Variables(dashboard))
            {
                var query = variable["query"] switch
                {
                    JsonObject editor => (string?)editor["query"],
                    JsonValue text when text.GetValueKind() == JsonValueKind.String => (string?)text,
                    _ => null,
                };
                if ((string?)variable["datasource"]?["uid"] == PrometheusDataSourceUid && query is not null && PromQl.LabelValuesMetric(query) is { } metric)
                {
                    queries.Add(new($"{file}: variable '{variable["name"]}'", metric));
                }
            }
        }

        foreach (var rule in PrometheusRules())
        {
            queries.Add(new($"Prometheus rule {rule["alert"] ?? rule["record"]}", (string)rule["expr"]!));
        }

        foreach (var rule in GrafanaAlertRules())
        {
            foreach (var step in rule["data"]?.AsArray() ?? [])
            {
                if ((string?)step!["datasourceUid"] == PrometheusDataSourceUid && (string?)step["model"]?["expr"] is { } expr)
                {
                    queries.Add(new($"Grafana alert rule {rule["title"]} step {step["refId"]}", expr));
                }
            }
        }

        return queries;
    }

    /// <summary>Series names read by any query, recording rules' own outputs left out.</summary>
    public static IReadOnlySet<string> SeriesNamesUsed()
    {
        var recorded = RecordingRuleNames();
        return Queries().SelectMany(q => PromQl.MetricNames(q.Expression))
            .Where(n => !recorded.Contains(n))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Every metric name (as it appears on a /metrics page, e.g. <c>logmon_ingest_requests_total</c> or
    /// <c>logmon_persister_batch_size_bucket</c>) that dashboards and rules read and some service must export.
    /// Excludes recording rules, Prometheus' own <c>up</c> and the kubelet's volume statistics.
    /// </summary>
    public static IReadOnlySet<string> MetricNamesUsed() =>
        SeriesNamesUsed().Where(n => !KnownMetrics.ByPrometheus.Contains(n) && !KnownMetrics.ByKubelet.Contains(n)).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Name, JsonNode? Root)> YamlFiles(string directory, string pattern = "*.yaml") =>
        Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), YamlDocument.Load(f)));
}
