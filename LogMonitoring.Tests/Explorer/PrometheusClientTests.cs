using System.Net;
using System.Text;
using LogMonitoring.Explorer;
using LogMonitoring.Explorer.StatsApi;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Tests.Explorer;

/// <summary>The services page's pipeline figures: Prometheus's answers read as numbers, absent series as unknown, refusals as errors.</summary>
public sealed class PrometheusClientTests
{
    /// <summary>Answers each PromQL query from a table, as Prometheus's /api/v1/query does.</summary>
    private sealed class FakePrometheus(Dictionary<string, string?> values) : HttpMessageHandler, IHttpClientFactory
    {
        public List<string> Queries { get; } = [];

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false) { BaseAddress = new Uri("http://prometheus:9090") };

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Assert.Equal("/api/v1/query", request.RequestUri!.AbsolutePath);
            var query = Uri.UnescapeDataString(request.RequestUri.Query["?query=".Length..]);
            Queries.Add(query);
            var body = values.TryGetValue(query, out var value) && value is not null
                ? $$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1765119600.1,"{{{value}}}"]}]}}"""
                : """{"status":"success","data":{"resultType":"vector","result":[]}}""";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    private static PrometheusClient Client(FakePrometheus prometheus) =>
        new(prometheus, Options.Create(new ExplorerOptions { PrometheusUrl = new Uri("http://prometheus:9090") }));

    [Fact]
    public async Task Each_figure_comes_from_its_query_and_a_missing_series_is_unknown()
    {
        var prometheus = new FakePrometheus(new()
        {
            [PrometheusClient.AcceptedQuery] = "1234.5",
            [PrometheusClient.LagQuery] = "42",
            [PrometheusClient.DeadLetteredQuery] = "0",
            [PrometheusClient.LostQuery] = null,
            [PrometheusClient.FreshnessQuery] = "NaN",
        });

        var health = await Client(prometheus).GetAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new PipelineHealth(1234.5, 42, 0, null, null), health);
        Assert.Equal(5, prometheus.Queries.Distinct().Count());
    }

    [Fact]
    public void A_refused_query_is_an_error_that_says_why()
    {
        using var answer = System.Text.Json.JsonDocument.Parse("""{"status":"error","errorType":"bad_data","error":"parse error"}""");
        var error = Assert.Throws<InvalidOperationException>(() => PrometheusClient.ReadScalar(answer.RootElement));
        Assert.Contains("parse error", error.Message, StringComparison.Ordinal);
    }
}
