using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogMonitoring.BrowserTests;

/// <summary>The services page's pipeline health, read from Prometheus: the figures it serves, and a clear word when it is away.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class ServicesPageTests(ExplorerFixture system)
{
    [Fact]
    public async Task The_pipeline_panel_shows_the_figures_prometheus_serves()
    {
        var asked = system.Prometheus.Queries.Count;
        var explorer = await system.OpenAsync("/services");
        var panel = explorer.Page.GetByRole(AriaRole.Region, new() { Name = "Pipeline" });

        static string Served(string metric) => PrometheusStandIn.Values[metric].ToString("N0", CultureInfo.InvariantCulture);
        await Expect(panel.Locator("[data-figure=accepted] dd")).ToHaveTextAsync(
            PrometheusStandIn.Values["logmon_ingest_events_accepted_total"].ToString("N1", CultureInfo.InvariantCulture) + " logs/s");
        await Expect(panel.Locator("[data-figure=lag] dd")).ToHaveTextAsync(Served("logmon_persister_consumer_lag") + " logs");
        await Expect(panel.Locator("[data-figure=freshness] dd")).ToHaveTextAsync(Served("logmon_stats_freshness_lag_seconds") + " s");
        await Expect(panel.Locator("[data-figure=dead-lettered] dd")).ToHaveTextAsync(Served("logmon_persister_events_dead_lettered_total"));
        await Expect(panel.Locator("[data-figure=lost] dd")).ToHaveTextAsync(Served("logmon_persister_events_lost_total"));

        // A lag above 1,000 and any dead letter are marked; a lost log more so.
        await Expect(panel.Locator("[data-figure=lag]")).ToHaveClassAsync("warn");
        await Expect(panel.Locator("[data-figure=dead-lettered]")).ToHaveClassAsync("warn");
        await Expect(panel.Locator("[data-figure=lost]")).ToHaveClassAsync("bad");
        await Expect(panel.Locator("[data-figure=freshness]")).Not.ToHaveClassAsync("warn");

        // One instant query per figure, each over the series the alert rules read.
        var queries = system.Prometheus.Queries.Skip(asked).ToList();
        Assert.Equal(PrometheusStandIn.Values.Count, queries.Count);
        Assert.All(PrometheusStandIn.Values.Keys, metric => Assert.Single(queries, q => q.Contains(metric, StringComparison.Ordinal)));
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task When_prometheus_is_unreachable_the_panel_says_so_and_the_services_still_show()
    {
        var service = ExplorerFixture.UniqueService("away");
        await system.PostAndWaitAsync($"service:{service}", [ExplorerFixture.Log(service, "INFO", "still here")], TestContext.Current.CancellationToken);
        await system.WaitUntilListedAsync(service, TestContext.Current.CancellationToken);

        system.Prometheus.Answering = false;
        try
        {
            var explorer = await system.OpenAsync("/services");
            var status = explorer.Page.GetByTestId("pipeline-status");
            // The client retries with back-off before giving up, which takes longer than most expectations here.
            await Expect(status).ToContainTextAsync("did not answer, so the pipeline's health is unknown", new() { Timeout = 90_000 });
            await Expect(status).ToContainTextAsync(system.Prometheus.Url.ToString());
            await Expect(explorer.Page.Locator(".pipeline-figures")).ToHaveCountAsync(0);
            await Expect(explorer.Page.GetByTestId("service-row").Filter(new() { HasText = service })).ToHaveCountAsync(1);
            Assert.Empty(explorer.ConsoleErrors);
            await explorer.CloseAsync();
        }
        finally
        {
            system.Prometheus.Answering = true;
        }
    }
}
