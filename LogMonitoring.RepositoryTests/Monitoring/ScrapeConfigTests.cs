using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace LogMonitoring.RepositoryTests.Monitoring;

public partial class ScrapeConfigTests
{
    // Projects in the resource graph that are not part of the monitored system, and why.
    private static readonly Dictionary<string, string> s_notScraped = new()
    {
        ["simulator"] = "a traffic generator for demos, not a LogMonitoring service",
        ["explorer"] = "the web UI: it holds no data and moves no logs, and what it shows comes from stats, which is scraped; only Kubernetes, where it runs several replicas, scrapes it",
    };

    [Fact]
    public async Task Scrape_jobs_cover_every_service_in_the_resource_graph()
    {
        var ct = TestContext.Current.CancellationToken;
        // External mode: builds the resource graph without starting anything or needing a broker.
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogMonitoring_AppHost>(
            ["--LogMonitoring:Mode=external", "--ConnectionStrings:kafka=localhost:9092", "--ConnectionStrings:logstore=Data Source=unused.db"], ct);

        var services = builder.Resources.OfType<ProjectResource>().Select(r => r.Name).Where(n => !s_notScraped.ContainsKey(n)).Order().ToList();
        var jobs = MonitoringFiles.ScrapeJobs();

        Assert.Equal(["ingest", "persister", "stats"], services);
        Assert.All(services, s => Assert.Contains(s, jobs));
    }

    [Fact]
    public void Every_job_reads_metrics_from_its_own_targets_file()
    {
        foreach (var job in MonitoringFiles.PrometheusConfig()["scrape_configs"]!.AsArray())
        {
            var name = (string)job!["job_name"]!;
            Assert.Equal("/metrics", (string?)job["metrics_path"] ?? "/metrics");
            // Whatever starts the services writes targets/<job>.json (deploy/prometheus/targets/README.md).
            var files = Assert.Single(job["file_sd_configs"]!.AsArray())!["files"]!.AsArray().Select(f => (string)f!).ToList();
            Assert.Equal([$"targets/{name}.json"], files);
        }

        Assert.Equal(["ingest", "persister", "stats"], MonitoringFiles.ScrapeJobs().Order());
    }

    [Fact]
    public void Prometheus_loads_the_rules_the_tests_cover()
    {
        var ruleFiles = MonitoringFiles.PrometheusConfig()["rule_files"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Equal(["rules/*.yml"], ruleFiles);

        var tested = YamlDocument.Load(Path.Combine(MonitoringFiles.PrometheusDirectory, "tests", "alerts_test.yml"))!;
        var testedFiles = tested["rule_files"]!.AsArray().Select(f => Path.GetFileName((string)f!)).Order().ToList();
        var ruleFilesOnDisk = Directory.GetFiles(Path.Combine(MonitoringFiles.PrometheusDirectory, "rules"), "*.yml").Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(ruleFilesOnDisk, testedFiles);
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_quiet_unit_test_case()
    {
        var tests = YamlDocument.Load(Path.Combine(MonitoringFiles.PrometheusDirectory, "tests", "alerts_test.yml"))!["tests"]!.AsArray();
        var cases = tests.SelectMany(t => t!["alert_rule_test"]?.AsArray() ?? []).Select(c => (
            Alert: (string)c!["alertname"]!,
            Fires: (c["exp_alerts"]?.AsArray().Count ?? 0) > 0)).ToList();

        foreach (var alert in MonitoringFiles.PrometheusAlerts().Select(a => (string)a["alert"]!))
        {
            Assert.True(cases.Contains((alert, true)), $"no promtool case where {alert} fires");
            Assert.True(cases.Contains((alert, false)), $"no promtool case where {alert} stays quiet");
        }
    }

    [Fact]
    public void Service_down_alert_watches_every_scrape_job()
    {
        var alert = Assert.Single(MonitoringFiles.PrometheusAlerts(), a => (string?)a["alert"] == "LogMonServiceDown");
        var match = JobMatcher().Match((string)alert["expr"]!);
        Assert.True(match.Success, "LogMonServiceDown should select up{job=~\"...\"}");

        var jobs = new Regex($"^(?:{match.Groups["regex"].Value})$");
        Assert.All(MonitoringFiles.ScrapeJobs(), job => Assert.Matches(jobs, job));
    }

    [GeneratedRegex("""up\{job=~"(?<regex>[^"]+)"\}""")]
    private static partial Regex JobMatcher();
}
