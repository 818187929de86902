using System.Net;
using System.Text;

namespace LogMonitoring.Tests.Shippers;

/// <summary>Every format ingests through one pipeline, and its metrics say which format each request arrived in.</summary>
[Collection(nameof(IngestMetricsTests))]
public sealed class IngestMetricsTests(IngestHost host) : IClassFixture<IngestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_and_events_are_counted_per_format()
    {
        var service = TopicEvent.NewService("metrics");
        using (var native = await host.Client.PostAsync("/api/logs", new StringContent(
            $$"""[{"level":"INFO","service":"{{service}}","message":"ok"},{"level":"NOPE","service":"{{service}}","message":"bad"}]""", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, native.StatusCode);
        }

        using (var gelf = await host.Client.PostAsync($"/gelf?service={service}", new StringContent(
            """{"version":"1.1","host":"h","short_message":"hello"}""", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, gelf.StatusCode);
        }

        using (var refused = await host.Client.PostAsync("/api/logs", new StringContent("hello", Encoding.UTF8, "text/plain"), Ct))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        }

        var page = await host.Client.GetStringAsync("/metrics", Ct);

        // This host is the test's own: the counts are exactly what it sent.
        Assert.Equal(1, Sample(page, "logmon_ingest_requests_total", "code=\"202\"", "format=\"native\""));
        Assert.Equal(1, Sample(page, "logmon_ingest_requests_total", "code=\"202\"", "format=\"gelf\""));
        Assert.Equal(1, Sample(page, "logmon_ingest_requests_total", "code=\"415\"", "format=\"native\""));
        Assert.Equal(2, Sample(page, "logmon_ingest_events_received_total", "format=\"native\""));
        Assert.Equal(1, Sample(page, "logmon_ingest_events_accepted_total", "format=\"native\""));
        Assert.Equal(1, Sample(page, "logmon_ingest_events_accepted_total", "format=\"gelf\""));
        Assert.Equal(1, Sample(page, "logmon_ingest_events_rejected_total", "format=\"native\"", "reason=\"invalid\""));
        Assert.Equal(1, Sample(page, "logmon_ingest_events_rejected_total", "format=\"native\"", "reason=\"media_type\""));
    }

    // The value of the first series of the metric whose labels include all of the given ones; 0 when none.
    private static double Sample(string page, string metric, params string[] labels) =>
        page.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
}

/// <summary>
/// OpenTelemetry's meter listener picks up every meter of the name in the process, so other test classes'
/// ingest hosts would add to this host's counts: the metrics test runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(IngestMetricsTests), DisableParallelization = true)]
public sealed class IngestMetricsCollection;
