using System.Net;
using System.Net.Http.Headers;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LogMonitoring.Tests.Explorer;

/// <summary>
/// The explorer's /metrics: private where <c>ApiKeys:ProtectMetrics</c> is on (the cluster, where the
/// ingress makes the explorer public), answering only a key with metrics:read as ingest and stats do;
/// open, as before, where it is off. The pages and probes never ask for a key.
/// </summary>
public sealed class ExplorerMetricsTests
{
    private const string PrometheusKey = "explorer-tests-prometheus-key";
    private const string ReaderKey = "explorer-tests-reader-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Any type of the explorer assembly names its entry point; 'Program' alone is ambiguous next to the other services'.
    private static WebApplicationFactory<LogMonitoring.Explorer.ExplorerOptions> Explorer(bool protectMetrics) =>
        new WebApplicationFactory<LogMonitoring.Explorer.ExplorerOptions>().WithWebHostBuilder(web =>
        {
            // As in the cluster: not Development, so nothing is open by default.
            web.UseEnvironment("Production");
            web.UseSetting("ApiKeys:ProtectMetrics", protectMetrics ? "true" : "false");
            web.UseSetting("ApiKeys:Keys:0:Name", "prometheus");
            web.UseSetting("ApiKeys:Keys:0:Key", PrometheusKey);
            web.UseSetting("ApiKeys:Keys:0:Scopes:0", Scopes.ReadMetrics);
            web.UseSetting("ApiKeys:Keys:1:Name", "reader");
            web.UseSetting("ApiKeys:Keys:1:Key", ReaderKey);
            web.UseSetting("ApiKeys:Keys:1:Scopes:0", Scopes.ReadLogs);
        });

    private static async Task<HttpStatusCode> GetMetrics(HttpClient client, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (key is not null)
        {
            // What Prometheus sends with authorization.credentials_file.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task Protected_metrics_answer_only_a_metrics_read_key()
    {
        await using var explorer = Explorer(protectMetrics: true);
        using var client = explorer.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, await GetMetrics(client, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMetrics(client, "not-a-key"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetMetrics(client, ReaderKey));
        Assert.Equal(HttpStatusCode.OK, await GetMetrics(client, PrometheusKey));

        using var metrics = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "X-Api-Key", PrometheusKey } } };
        using var scraped = await client.SendAsync(metrics, Ct);
        Assert.Contains("# TYPE ", await scraped.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The probes and the sign-in page still answer anyone.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/", Ct)).StatusCode);
    }

    [Fact]
    public async Task Without_protection_metrics_stay_open_as_locally()
    {
        await using var explorer = Explorer(protectMetrics: false);
        using var client = explorer.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await GetMetrics(client, null));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/", Ct)).StatusCode);
    }
}
