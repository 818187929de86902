namespace LogMonitoring.RepositoryTests.Monitoring;

public class MetricNameTests
{
    [Theory]
    [InlineData("sum(rate(logmon_ingest_events_accepted_total[$__rate_interval]))", "logmon_ingest_events_accepted_total")]
    [InlineData("sum by (service, level) (increase(logmon_logs_stored_total{service=~\"${service:regex}\", level=~\"ERROR|FATAL\"}[$__interval]))", "logmon_logs_stored_total")]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{job=\"ingest\"}[5m])))", "http_server_request_duration_seconds_bucket")]
    [InlineData("service:logmon_logs_error_ratio:rate5m > on () group_left () logmon:error_ratio:threshold", "service:logmon_logs_error_ratio:rate5m logmon:error_ratio:threshold")]
    [InlineData("(x_total unless x_total offset 5m) or increase(x_total[5m])", "x_total")]
    [InlineData("up{job=~\"ingest|persister\"} == 0", "up")]
    [InlineData("sum(a) / sum(b) > 0.05 and deriv(c[10m]) > 1e3", "a b c")]
    [InlineData("vector(0.05)", "")]
    public void Finds_the_metric_names_in_a_query(string expression, string expected)
    {
        var names = PromQl.MetricNames(expression);
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(), names.Order());
    }

    [Fact]
    public void Every_metric_read_by_dashboards_and_rules_is_one_the_services_export()
    {
        var unknown = MonitoringFiles.Queries()
            .SelectMany(q => PromQl.MetricNames(q.Expression).Select(name => (q.Origin, Name: name)))
            .Where(u => !MonitoringFiles.RecordingRuleNames().Contains(u.Name) && !KnownMetrics.IsKnown(u.Name))
            .Select(u => $"{u.Origin}: {u.Name}")
            .ToList();

        Assert.True(unknown.Count == 0, "Not among the exported metric names (LogMonitoring.TestSupport/Monitoring/KnownMetrics.cs):\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void Every_recording_rule_name_is_a_level_metric_operations_name_and_is_used()
    {
        var recorded = MonitoringFiles.RecordingRuleNames();
        var read = MonitoringFiles.Queries().SelectMany(q => PromQl.MetricNames(q.Expression)).ToHashSet();

        Assert.NotEmpty(recorded);
        Assert.All(recorded, name => Assert.Matches("^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$", name));
        Assert.All(recorded, name => Assert.True(read.Contains(name), $"recording rule {name} is read by no dashboard or alert"));
    }

    [Fact]
    public void The_dashboards_chart_what_the_issue_asks_for()
    {
        // The seed's panels plus the pipeline's: each needs its metric somewhere in a dashboard.
        var dashboardNames = MonitoringFiles.Queries()
            .Where(q => q.Origin.Contains(".json:", StringComparison.Ordinal))
            .SelectMany(q => PromQl.MetricNames(q.Expression))
            .ToHashSet();

        Assert.Contains("logmon_ingest_events_accepted_total", dashboardNames);              // real-time ingest rate
        Assert.Contains("logmon_logs_stored_total", dashboardNames);                         // by service, error timeline
        Assert.Contains("service:logmon_logs_error_ratio:rate5m", dashboardNames);           // error rate per service
        Assert.Contains("partition:logmon_persister_consumer_lag:max", dashboardNames);      // consumer lag
        Assert.Contains("logmon_persister_events_dead_lettered_total", dashboardNames);      // dead-letter rate
        Assert.Contains("http_server_request_duration_seconds_bucket", dashboardNames);      // ingest p99
        Assert.Contains("logmon_stats_freshness_lag_seconds", dashboardNames);               // end-to-end freshness
    }

    [Fact]
    public void Metric_names_used_leave_out_recording_rules_and_prometheus_own_series()
    {
        var used = MonitoringFiles.MetricNamesUsed();

        Assert.Contains("logmon_logs_stored_total", used);
        Assert.Contains("logmon_ingest_kafka_produce_duration_seconds_bucket", used);
        Assert.DoesNotContain("up", used);
        Assert.DoesNotContain(used, n => n.Contains(':', StringComparison.Ordinal));
    }
}
