using System.Diagnostics;
using System.Net;
using System.Text;
using Aspire.Hosting.Testing;
using Confluent.Kafka;
using LogMonitoring.Contracts;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The consistency check between what the services export and what the dashboards and alert rules read:
/// the embedded system gets traffic (valid logs, a retry, an invalid event, a poison message), then every
/// service's /metrics page must carry every metric name the monitoring files use.
/// </summary>
[Collection(EmbeddedSystemCollection.Name)]
public sealed class MetricsExportedTests(EmbeddedSystemFixture system)
{
    private static readonly string[] Services = ["ingest", "persister", "stats"];

    // OpenTelemetry exports a counter or histogram only once something was recorded, and these record
    // only on failures a healthy test system does not have. MetricNameTests still checks their names.
    private static readonly Dictionary<string, string> s_exportedOnlyAfterAFailure = new()
    {
        ["logmon_persister_events_lost_total"] = "recorded only when Kafka deleted messages before the persister read them",
        ["logmon_persister_store_errors_total"] = "recorded only when a batch write fails",
        ["logmon_ingest_kafka_produce_errors_total"] = "recorded only when Kafka refuses an event",
    };

    // The stats service's instruments come with its rollup worker: while that worker does not run, the
    // service exports no logmon_stats_* series at all, and they are not required; once any appears
    // (the worker runs), every one the monitoring files use must be there.
    private const string RollupPrefix = "logmon_stats_";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_metric_the_dashboards_and_alert_rules_read_is_exported()
    {
        var marker = Guid.NewGuid().ToString("N");
        await SendTrafficAsync(marker);

        var used = MonitoringFiles.MetricNamesUsed().Where(n => !s_exportedOnlyAfterAFailure.ContainsKey(n)).ToHashSet();
        var exported = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string> Required() => exported.Any(n => n.StartsWith(RollupPrefix, StringComparison.Ordinal))
            ? used
            : used.Where(n => !n.StartsWith(RollupPrefix, StringComparison.Ordinal)).ToHashSet();
        var clients = Services.ToDictionary(s => s, s => system.App.CreateHttpClient(s));
        var clock = Stopwatch.StartNew();
        // Poll: the persister's counters appear once it has written a batch and dead-lettered the poison
        // message. Persister replicas sit behind one proxy that picks a replica per connection, so each
        // scrape opens a new connection and repeated scrapes reach every replica.
        while (!Required().IsSubsetOf(exported) && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            foreach (var client in clients.Values)
            {
                using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                scrape.Headers.ConnectionClose = true;
                using var response = await client.SendAsync(scrape, Ct);
                response.EnsureSuccessStatusCode();
                exported.UnionWith(PrometheusText.SeriesNames(await response.Content.ReadAsStringAsync(Ct)));
            }

            await Task.Delay(500, Ct);
        }

        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        var missing = Required().Except(exported).Order().ToList();
        Assert.True(missing.Count == 0,
            "Used by dashboards or alert rules but exported by no service:\n" + string.Join("\n", missing) +
            "\n\nExported:\n" + string.Join("\n", exported.Where(n => n.StartsWith("logmon_", StringComparison.Ordinal)).Order()));

        foreach (var (name, reason) in s_exportedOnlyAfterAFailure)
        {
            TestContext.Current.SendDiagnosticMessage($"{name}: {(exported.Contains(name) ? "exported" : "not exported")} ({reason})");
        }

        foreach (var name in used.Except(Required()))
        {
            TestContext.Current.SendDiagnosticMessage($"{name}: not checked, the stats service runs no rollups yet (no {RollupPrefix}* series)");
        }
    }

    private async Task SendTrafficAsync(string marker)
    {
        // Valid logs of two services, errors among them, sent twice with the same ids: the second time
        // they are duplicates for the persister.
        var events = string.Join(",", Enumerable.Range(0, 20).Select(i =>
            $$"""{"id":"{{marker}}-{{i}}","level":"{{(i % 4 == 0 ? "ERROR" : "INFO")}}","service":"it-metrics-{{i % 2}}","message":"metrics {{marker}} {{i}}"}"""));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await system.Ingest.PostAsync("/api/logs", new StringContent($"[{events}]", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // One invalid event next to a valid one: rejected by reason.
        using (var partly = await system.Ingest.PostAsync("/api/logs", new StringContent(
            $$"""[{"level":"INFO","service":"it-metrics-0","message":"fine {{marker}}"},{"level":"NOPE","service":"it-metrics-0","message":"bad"}]""",
            Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, partly.StatusCode);
        }

        // A message that is not JSON, straight into the topic: dead-lettered by the persister.
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = system.KafkaBootstrap }).Build())
        {
            await producer.ProduceAsync(LogTopics.Logs, new Message<string, string> { Key = marker, Value = $"not json {marker}" }, Ct);
        }

        // A stats request, for the stats service's HTTP metrics.
        using var search = await system.Stats.GetAsync($"/api/logs?q={marker}&limit=1", Ct);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }
}

/// <summary>Reads the series names from a Prometheus text-format page.</summary>
internal static class PrometheusText
{
    public static IEnumerable<string> SeriesNames(string page)
    {
        foreach (var line in page.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var end = line.IndexOfAny(['{', ' ']);
            yield return end < 0 ? line : line[..end];
        }
    }
}
