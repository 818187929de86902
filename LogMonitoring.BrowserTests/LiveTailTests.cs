using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogMonitoring.BrowserTests;

/// <summary>Watching logs arrive: the live tail shows a log posted after it started.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class LiveTailTests(ExplorerFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_live_tail_shows_a_newly_posted_log()
    {
        var service = ExplorerFixture.UniqueService("tail");
        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString($"service:{service}")}");
        await explorer.Page.Locator("#live-tail").ClickAsync();
        await Expect(explorer.Page.GetByTestId("live-status")).ToContainTextAsync("Live");
        await Expect(explorer.Page.GetByText("Waiting for new logs that match")).ToBeVisibleAsync();

        await system.PostAsync([ExplorerFixture.Log(service, "WARN", "disk 91% full on /var")], Ct);

        // The issue asks for "within 2 seconds"; on a shared 2-core machine the wait is generous, and the
        // stream's own latency is the tail endpoint's (tested in the stats API's tests), not this page's.
        await Expect(explorer.Messages).ToHaveTextAsync(["disk 91% full on /var"], new() { Timeout = 60_000 });

        // Logs of other services do not appear, and the next matching one goes on top.
        await system.PostAsync([ExplorerFixture.Log(service + "x", "INFO", "not this one"), ExplorerFixture.Log(service, "ERROR", "disk full")], Ct);
        await Expect(explorer.Messages).ToHaveTextAsync(["disk full", "disk 91% full on /var"], new() { Timeout = 60_000 });
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task A_stream_of_a_thousand_logs_a_second_keeps_the_page_bounded_and_responsive()
    {
        var service = ExplorerFixture.UniqueService("flood");
        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString($"service:{service}")}");
        await explorer.Page.Locator("#live-tail").ClickAsync();
        await Expect(explorer.Page.GetByText("Waiting for new logs that match")).ToBeVisibleAsync();

        // 5,000 logs in ten batches, one every half second: 1,000 a second for five seconds.
        const int total = 5_000;
        for (var batch = 0; batch < 10; batch++)
        {
            var started = DateTime.UtcNow;
            await system.PostAsync([.. Enumerable.Range(0, total / 10).Select(i => ExplorerFixture.Log(service, "INFO", $"flood {batch}-{i}"))], Ct);
            var rest = TimeSpan.FromMilliseconds(500) - (DateTime.UtcNow - started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, Ct);
            }
        }

        // Every log reached the page, the buffer kept only the newest 2,000, and the table drew only what is in view.
        await Expect(explorer.Page.GetByTestId("live-status")).ToContainTextAsync($"{total:N0} received", new() { Timeout = 120_000 });
        await Expect(explorer.Messages.First).ToHaveTextAsync("flood 9-499");
        Assert.InRange(await explorer.Rows.CountAsync(), 1, 200);

        // Still responsive: scrolling pauses the redraws, and the tail switches off at once.
        await explorer.Page.Locator(".results").EvaluateAsync("e => e.scrollTop = 2000");
        await Expect(explorer.Page.GetByTestId("live-status")).ToContainTextAsync("Paused while you scroll");
        await explorer.Page.Locator("#live-tail").ClickAsync();
        await Expect(explorer.Page.GetByTestId("histogram-total")).ToHaveTextAsync(total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }
}
