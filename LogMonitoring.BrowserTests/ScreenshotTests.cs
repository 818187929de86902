using LogMonitoring.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogMonitoring.BrowserTests;

/// <summary>
/// The screenshots in README and docs come from this test's run against the real system. With
/// LOGMON_UPDATE_SCREENSHOTS=1 it writes them to docs/images/; otherwise it takes them anyway (the pages
/// must render) and checks the committed ones are there.
/// </summary>
[Collection(ExplorerCollection.Name)]
public sealed class ScreenshotTests(ExplorerFixture system)
{
    public static readonly string[] Images = ["explorer-search.png", "explorer-detail.png", "explorer-services.png"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool Update => Environment.GetEnvironmentVariable("LOGMON_UPDATE_SCREENSHOTS") == "1";

    [Fact]
    public async Task The_documented_screenshots_come_from_a_real_run()
    {
        var shop = ExplorerFixture.UniqueService("shop");
        var random = new Random(17);
        var routes = new[] { "/api/orders", "/api/cart", "/api/users/{id}", "/api/search" };
        var logs = Enumerable.Range(0, 60).Select(i =>
        {
            var route = routes[random.Next(routes.Length)];
            var (level, message) = (i % 13) switch
            {
                0 => ("ERROR", $"GET {route} failed with 500 after {random.Next(200, 900)} ms"),
                4 or 9 => ("WARN", $"GET {route} slow: {random.Next(1000, 3000)} ms"),
                _ => ("INFO", $"GET {route} answered 200 in {random.Next(5, 90)} ms"),
            };
            return ExplorerFixture.Log(shop, level, message,
                new { route, user_id = $"u{random.Next(1, 40)}", http = new { status = level == "ERROR" ? 500 : 200 }, latency_ms = random.Next(5, 900) },
                host: $"web-{random.Next(1, 4)}", traceId: Guid.NewGuid().ToString("N"));
        }).ToList();
        await system.PostAndWaitAsync($"service:{shop}", logs, Ct);

        var folder = Update ? RepositoryRoot.PathOf("docs", "images") : Directory.CreateTempSubdirectory("logmon-shots-").FullName;
        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString($"service:{shop}")}");
        await Expect(explorer.Rows.First).ToBeVisibleAsync();
        await Expect(explorer.Page.Locator("#histogram .plot-container")).ToBeVisibleAsync();
        await explorer.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, Images[0]) });

        await explorer.Messages.Filter(new() { HasText = "failed with 500" }).First.ClickAsync();
        await Expect(explorer.Page.GetByTestId("detail-message")).ToContainTextAsync("failed with 500");
        await explorer.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, Images[1]) });

        await explorer.Page.GetByRole(AriaRole.Link, new() { Name = "Services" }).ClickAsync();
        await Expect(explorer.Page.GetByTestId("service-row").First).ToBeVisibleAsync();
        // The pipeline figures come from the tests' Prometheus stand-in (PrometheusStandIn.Values), not from this run's traffic.
        await Expect(explorer.Page.Locator("[data-figure=accepted] dd")).ToHaveTextAsync("1,234.5 logs/s");
        await explorer.Page.ScreenshotAsync(new() { Path = Path.Combine(folder, Images[2]) });
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();

        foreach (var image in Images)
        {
            var committed = RepositoryRoot.PathOf("docs", "images", image);
            Assert.True(File.Exists(committed), $"docs/images/{image} is missing: run the browser tests with LOGMON_UPDATE_SCREENSHOTS=1");
            // A PNG: the eight-byte signature.
            Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], File.ReadAllBytes(committed)[..8]);
        }
    }
}
