using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LogMonitoring.RepositoryTests.Monitoring;

public partial class DashboardTests
{
    // Grafana's own pseudo data sources, not provisioned.
    private static readonly HashSet<string> s_builtInDataSources = ["-- Grafana --", "grafana", "__expr__", "-- Mixed --", "-- Dashboard --"];

    // Variables Grafana defines itself.
    private static readonly HashSet<string> s_builtInVariables = ["__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__from", "__to", "__all", "__dashboard", "__org", "__user"];

    public static TheoryData<string> DashboardFileNames() => new(MonitoringFiles.DashboardFiles().Select(f => Path.GetFileName(f)));

    [Fact]
    public void There_are_dashboards() => Assert.NotEmpty(MonitoringFiles.DashboardFiles());

    [Theory]
    [MemberData(nameof(DashboardFileNames))]
    public void Dashboard_parses_with_a_stable_uid_title_and_panels(string file)
    {
        var dashboard = MonitoringFiles.LoadDashboard(Path.Combine(MonitoringFiles.GrafanaDirectory, "dashboards", file));

        var uid = (string?)dashboard["uid"];
        Assert.False(string.IsNullOrWhiteSpace(uid), $"{file}: no uid (Grafana would invent one on every load, breaking links)");
        Assert.Matches("^[A-Za-z0-9_-]{1,40}$", uid);
        Assert.False(string.IsNullOrWhiteSpace((string?)dashboard["title"]), $"{file}: no title");
        Assert.Null(dashboard["id"]);
        Assert.NotEmpty(MonitoringFiles.Panels(dashboard));
    }

    [Fact]
    public void Dashboard_uids_and_titles_are_unique()
    {
        var dashboards = MonitoringFiles.Dashboards();
        var duplicateUids = dashboards.GroupBy(d => (string?)d.Dashboard["uid"]).Where(g => g.Count() > 1).Select(g => g.Key);
        var duplicateTitles = dashboards.GroupBy(d => (string?)d.Dashboard["title"]).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicateUids);
        Assert.Empty(duplicateTitles);
    }

    [Theory]
    [MemberData(nameof(DashboardFileNames))]
    public void Panel_ids_are_unique_and_every_panel_has_a_title(string file)
    {
        var dashboard = MonitoringFiles.LoadDashboard(Path.Combine(MonitoringFiles.GrafanaDirectory, "dashboards", file));
        var panels = MonitoringFiles.Panels(dashboard).ToList();

        Assert.All(panels, p => Assert.NotNull((int?)p["id"]));
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        Assert.All(panels, p => Assert.False(string.IsNullOrWhiteSpace((string?)p["title"]), $"{file}: panel {p["id"]} has no title"));
    }

    [Theory]
    [MemberData(nameof(DashboardFileNames))]
    public void Every_data_source_a_dashboard_uses_is_provisioned_with_the_same_type(string file)
    {
        var dashboard = MonitoringFiles.LoadDashboard(Path.Combine(MonitoringFiles.GrafanaDirectory, "dashboards", file));
        var provisioned = MonitoringFiles.DataSources().ToDictionary(d => d.Uid, d => d.Type);

        var references = DataSourceReferences(dashboard).ToList();
        Assert.NotEmpty(references);
        foreach (var (where, uid, type) in references)
        {
            if (s_builtInDataSources.Contains(uid))
            {
                continue;
            }

            Assert.True(provisioned.TryGetValue(uid, out var provisionedType),
                $"{file}: {where} uses data source uid '{uid}', which grafana/provisioning/datasources does not define ({string.Join(", ", provisioned.Keys)})");
            if (type is not null)
            {
                Assert.True(type == provisionedType, $"{file}: {where} says data source '{uid}' is a '{type}', provisioning says '{provisionedType}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(DashboardFileNames))]
    public void Every_panel_query_names_its_data_source(string file)
    {
        var dashboard = MonitoringFiles.LoadDashboard(Path.Combine(MonitoringFiles.GrafanaDirectory, "dashboards", file));
        foreach (var panel in MonitoringFiles.Panels(dashboard).Where(p => (string?)p["type"] != "row"))
        {
            // A panel without an explicit uid would use whatever data source is the default at the time.
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                Assert.False(string.IsNullOrEmpty((string?)(target!["datasource"] ?? panel["datasource"])?["uid"]),
                    $"{file}: panel '{panel["title"]}' query {target["refId"]} has no data source uid");
            }

            Assert.NotEmpty(panel["targets"]?.AsArray() ?? []);
        }
    }

    [Theory]
    [MemberData(nameof(DashboardFileNames))]
    public void Dashboard_has_service_and_level_variables(string file)
    {
        var dashboard = MonitoringFiles.LoadDashboard(Path.Combine(MonitoringFiles.GrafanaDirectory, "dashboards", file));
        var variables = MonitoringFiles.Variables(dashboard).ToDictionary(v => (string)v["name"]!);

        Assert.Contains("service", variables.Keys);
        Assert.Contains("level", variables.Keys);

        // The service list comes from the stored-logs metric; levels are the contract's six.
        Assert.Equal("logmon_logs_stored_total", PromQl.LabelValuesMetric((string?)variables["service"]["query"]?["query"] ?? (string?)variables["service"]["definition"] ?? ""));
        var levels = ((string)variables["level"]["query"]!).Split(',', StringSplitOptions.TrimEntries);
        Assert.Equal(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], levels);
        Assert.All(new[] { "service", "level" }, name => Assert.True((bool?)variables[name]["includeAll"] == true, $"{file}: variable {name} has no All option"));
    }

    [Theory]
    [MemberData(nameof(DashboardFileNames))]
    public void Every_variable_a_query_uses_is_defined(string file)
    {
        var dashboard = MonitoringFiles.LoadDashboard(Path.Combine(MonitoringFiles.GrafanaDirectory, "dashboards", file));
        var defined = MonitoringFiles.Variables(dashboard).Select(v => (string)v["name"]!).ToHashSet();

        foreach (var panel in MonitoringFiles.Panels(dashboard))
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                foreach (Match use in VariableUse().Matches(target!.ToJsonString()))
                {
                    var name = use.Groups["name"].Value;
                    Assert.True(defined.Contains(name) || s_builtInVariables.Contains(name),
                        $"{file}: panel '{panel["title"]}' uses ${name}, which the dashboard does not define");
                }
            }
        }
    }

    [Fact]
    public void Stats_api_panels_query_its_api_paths()
    {
        var statsQueries = MonitoringFiles.Dashboards()
            .SelectMany(d => MonitoringFiles.Panels(d.Dashboard))
            .SelectMany(p => (p["targets"]?.AsArray() ?? []).Select(t => t!.AsObject()))
            .Where(t => (string?)t["datasource"]?["uid"] == MonitoringFiles.StatsApiDataSourceUid)
            .ToList();

        Assert.NotEmpty(statsQueries);
        foreach (var query in statsQueries)
        {
            // A path, prefixed by the data source's URL: a full URL here would bypass the allowed host.
            Assert.StartsWith("/api/", (string?)query["url"]);
            Assert.Equal("json", (string?)query["type"]);
            Assert.Equal("GET", (string?)query["url_options"]?["method"]);
        }
    }

    private static IEnumerable<(string Where, string Uid, string? Type)> DataSourceReferences(JsonObject dashboard)
    {
        foreach (var panel in MonitoringFiles.Panels(dashboard))
        {
            if (panel["datasource"] is JsonObject ds)
            {
                yield return ($"panel '{panel["title"]}'", (string)ds["uid"]!, (string?)ds["type"]);
            }

            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                if (target!["datasource"] is JsonObject tds)
                {
                    yield return ($"panel '{panel["title"]}' query {target["refId"]}", (string)tds["uid"]!, (string?)tds["type"]);
                }
            }
        }

        foreach (var variable in MonitoringFiles.Variables(dashboard))
        {
            if (variable["datasource"] is JsonObject vds)
            {
                yield return ($"variable '{variable["name"]}'", (string)vds["uid"]!, (string?)vds["type"]);
            }
        }

        foreach (var annotation in dashboard["annotations"]?["list"]?.AsArray() ?? [])
        {
            if (annotation!["datasource"] is JsonObject ads)
            {
                yield return ($"annotation '{annotation["name"]}'", (string)ads["uid"]!, null);
            }
        }
    }

    // $name, ${name} or ${name:format}; not $$ (an escaped dollar).
    [GeneratedRegex(@"(?<!\$)\$(?:\{(?<name>\w+)(?::[\w:]+)?\}|(?<name>\w+))")]
    private static partial Regex VariableUse();
}
