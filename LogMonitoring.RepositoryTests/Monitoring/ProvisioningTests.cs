using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LogMonitoring.RepositoryTests.Monitoring;

public partial class ProvisioningTests
{
    [Fact]
    public void Data_sources_have_unique_uids_and_include_prometheus_and_the_stats_api()
    {
        var sources = MonitoringFiles.DataSources();

        Assert.Equal(sources.Count, sources.Select(s => s.Uid).Distinct().Count());
        Assert.Contains(sources, s => s.Uid == MonitoringFiles.PrometheusDataSourceUid && s.Type == "prometheus");
        // The JSON/HTTP plugin Grafana installs through GF_INSTALL_PLUGINS.
        Assert.Contains(sources, s => s.Uid == MonitoringFiles.StatsApiDataSourceUid && s.Type == "yesoreyeram-infinity-datasource");

        // The Stats API refuses requests without an API key; the key is a secret, so it comes from the environment.
        var stats = Directory.GetFiles(Path.Combine(MonitoringFiles.GrafanaDirectory, "provisioning", "datasources"), "*.yaml")
            .SelectMany(f => YamlDocument.Load(f)?["datasources"]?.AsArray() ?? [])
            .Single(d => (string?)d!["uid"] == MonitoringFiles.StatsApiDataSourceUid)!;
        Assert.Equal("X-Api-Key", (string?)stats["jsonData"]?["httpHeaderName1"]);
        Assert.Matches(@"^\$\{[A-Z_]+\}$", (string?)stats["secureJsonData"]?["httpHeaderValue1"]);
    }

    [Fact]
    public void Dashboard_provider_loads_the_dashboards_folder_read_only()
    {
        var providers = Directory.GetFiles(Path.Combine(MonitoringFiles.GrafanaDirectory, "provisioning", "dashboards"), "*.yaml")
            .SelectMany(f => YamlDocument.Load(f)?["providers"]?.AsArray() ?? [])
            .Select(p => p!.AsObject())
            .ToList();

        var provider = Assert.Single(providers);
        Assert.Equal("file", (string?)provider["type"]);
        Assert.Equal("/var/lib/grafana/dashboards", (string?)provider["options"]?["path"]);
        // Dashboards are provisioned, not clicked: changes belong in the repository.
        Assert.Equal("false", (string?)provider["allowUiUpdates"]);
    }

    [Fact]
    public void Grafana_alert_rules_mirror_the_prometheus_alerts()
    {
        var prometheus = MonitoringFiles.PrometheusAlerts().ToDictionary(a => (string)a["alert"]!);
        var grafana = MonitoringFiles.GrafanaAlertRules().ToDictionary(r => (string)r["title"]!);

        Assert.Equal(prometheus.Keys.Order(), grafana.Keys.Order());
        foreach (var (name, alert) in prometheus)
        {
            var rule = grafana[name];
            var query = Assert.Single(rule["data"]!.AsArray(), s => (string?)s!["datasourceUid"] == MonitoringFiles.PrometheusDataSourceUid)!;

            Assert.Equal((string)alert["expr"]!, (string?)query["model"]?["expr"]);
            Assert.Equal(Duration((string?)alert["for"]), Duration((string?)rule["for"]));
            Assert.Equal(Labels(alert["labels"]), Labels(rule["labels"]));
            foreach (var (key, text) in Labels(alert["annotations"]))
            {
                Assert.Equal(AsGrafanaTemplate(text, (string)query["refId"]!), (string?)rule["annotations"]?[key]);
            }
        }
    }

    [Fact]
    public void Grafana_alert_rules_are_well_formed()
    {
        var rules = MonitoringFiles.GrafanaAlertRules();
        var dataSources = MonitoringFiles.DataSources().Select(d => d.Uid).Append("__expr__").ToHashSet();

        Assert.NotEmpty(rules);
        Assert.Equal(rules.Count, rules.Select(r => (string?)r["uid"]).Distinct().Count());
        foreach (var rule in rules)
        {
            Assert.Matches("^[A-Za-z0-9_-]{1,40}$", (string?)rule["uid"]);
            var steps = rule["data"]!.AsArray().Select(s => s!.AsObject()).ToList();
            var refIds = steps.Select(s => (string)s["refId"]!).ToList();

            Assert.Contains((string)rule["condition"]!, refIds);
            Assert.All(steps, s => Assert.Contains((string)s["datasourceUid"]!, dataSources));
            Assert.All(steps, s => Assert.Equal((string?)s["refId"], (string?)s["model"]?["refId"]));
            // Expression steps may only read steps that exist.
            foreach (var step in steps.Where(s => (string?)s["datasourceUid"] == "__expr__"))
            {
                Assert.Contains((string)step["model"]!["expression"]!, refIds);
            }

            // An alert expression returns nothing when all is well: that is OK, not "no data".
            Assert.Equal("OK", (string?)rule["noDataState"]);
        }
    }

    [Fact]
    public void Grafana_alerting_files_hold_no_unescaped_dollar()
    {
        // Grafana expands $NAME in provisioning files: a PromQL or template "$x" would silently become "".
        // Only the contact point's address is meant that way (${LOGMON_ALERTMANAGER_URL}).
        foreach (var file in MonitoringFiles.GrafanaAlertingFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                Assert.False(LoneDollar().IsMatch(lines[i]), $"{Path.GetFileName(file)}:{i + 1}: '$' would be read as an environment variable: {lines[i].Trim()}");
            }
        }
    }

    [Fact]
    public void Error_rate_threshold_is_one_recording_rule_holding_a_fraction()
    {
        var threshold = Assert.Single(MonitoringFiles.PrometheusRules(), r => (string?)r["record"] == "logmon:error_ratio:threshold");
        // docs/monitoring.md tells how to change it: a fraction of 1 (0.05 = 5 %), not a percentage.
        var match = Regex.Match((string)threshold["expr"]!, @"^vector\((?<value>[0-9.]+)\)$");
        Assert.True(match.Success, $"the threshold should be vector(<fraction>), is {threshold["expr"]}");
        var value = double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(value, 0.0001, 0.9999);
        // The alert compares against that series rather than a literal, so one edit changes both.
        var alert = Assert.Single(MonitoringFiles.PrometheusAlerts(), a => (string?)a["alert"] == "LogMonErrorRateHigh");
        Assert.Contains("logmon:error_ratio:threshold", (string)alert["expr"]!);
    }

    /// <summary>Prometheus' template variables, as Grafana's template data spells them without a '$'.</summary>
    private static string AsGrafanaTemplate(string prometheusTemplate, string queryRefId) => prometheusTemplate
        .Replace("$labels.", ".Labels.", StringComparison.Ordinal)
        .Replace("$value", $"(index .Values \"{queryRefId}\").Value", StringComparison.Ordinal);

    private static TimeSpan Duration(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return TimeSpan.Zero;
        }

        var match = Regex.Match(text, "^(?<n>[0-9]+)(?<unit>ms|s|m|h|d)$");
        Assert.True(match.Success, $"'{text}' is not a duration");
        var n = int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    }

    private static SortedDictionary<string, string> Labels(JsonNode? node) =>
        new((node?.AsObject() ?? []).ToDictionary(p => p.Key, p => (string?)p.Value ?? ""), StringComparer.Ordinal);

    // A '$' that is not doubled, nor one of the LOGMON_* environment variables the setups provide.
    [GeneratedRegex(@"(?<!\$)\$(?!\$|\{LOGMON_[A-Z_]+\})")]
    private static partial Regex LoneDollar();
}
