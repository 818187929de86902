using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogMonitoring.BrowserTests;

/// <summary>What must hold on every page: hostile text stays text, the policy forbids scripts from elsewhere, no console errors, no serious accessibility faults.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class SafetyTests(ExplorerFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>From the bad-input corpus: markup and script in a message.</summary>
    private const string HostileMessage = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"><b>bold?</b>";

    [Fact]
    public async Task A_hostile_message_renders_as_text()
    {
        var service = ExplorerFixture.UniqueService("xss");
        await system.PostAndWaitAsync($"service:{service}",
            [ExplorerFixture.Log(service, "ERROR", HostileMessage, new { payload = "<svg onload=\"window.__pwned = 3\">" })], Ct);

        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString($"service:{service}")}");
        await Expect(explorer.Messages).ToHaveTextAsync([HostileMessage]);
        await explorer.Messages.First.ClickAsync();
        await Expect(explorer.Page.GetByTestId("detail-message")).ToHaveTextAsync(HostileMessage);
        await Expect(explorer.Page.Locator("button.value-button[data-field='payload']")).ToHaveTextAsync("<svg onload=\"window.__pwned = 3\">");

        Assert.Equal(0, await explorer.Page.Locator(".results script, .results img, .results b, .event-detail script, .event-detail svg").CountAsync());
        Assert.Null(await explorer.Page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task Pages_carry_a_strict_content_security_policy()
    {
        using var response = await new HttpClient { BaseAddress = system.ExplorerUrl }.GetAsync("/", Ct);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));

        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_key_never_appears_in_a_url_or_the_page()
    {
        var explorer = await system.OpenAsync();
        var requested = new List<string>();
        explorer.Page.Request += (_, request) => requested.Add(request.Url);
        await explorer.SearchAsync("level:ERROR");
        // The search shows itself by navigating to its URL; clicked before that, the link's navigation was overtaken by it.
        await Expect(explorer.Page).ToHaveURLAsync(new Regex("[?&]q=level"));
        await explorer.Page.GetByRole(AriaRole.Link, new() { Name = "Services" }).ClickAsync();
        await Expect(explorer.Page.GetByRole(AriaRole.Heading, new() { Name = "Services" })).ToBeVisibleAsync();

        Assert.DoesNotContain(requested, url => url.Contains(ExplorerFixture.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(ExplorerFixture.ApiKey, explorer.Page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(ExplorerFixture.ApiKey, await explorer.Page.ContentAsync(), StringComparison.Ordinal);
        // Session storage holds it encrypted (data protection), not as typed.
        var stored = await explorer.Page.EvaluateAsync<string>("() => JSON.stringify(sessionStorage)");
        Assert.DoesNotContain(ExplorerFixture.ApiKey, stored, StringComparison.Ordinal);
        Assert.Contains("logmonitoring.api-key", stored, StringComparison.Ordinal);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_a_message()
    {
        var context = await system.Browser.NewContextAsync(new() { BaseURL = system.ExplorerUrl.ToString() });
        var page = new ExplorerPage(await context.NewPageAsync());
        await page.Page.GotoAsync("/");
        await page.Page.Locator("#api-key").FillAsync("not-a-key");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The API key was not accepted.");
        await Expect(page.QueryBox).ToHaveCountAsync(0);
        await context.CloseAsync();
    }

    [Theory]
    [InlineData("/", 1280, 800)]
    [InlineData("/services", 1280, 800)]
    [InlineData("/", 390, 844)]
    public async Task Pages_have_no_serious_accessibility_violations_and_fit_the_screen(string path, int width, int height)
    {
        var service = ExplorerFixture.UniqueService("a11y");
        await system.PostAndWaitAsync($"service:{service}",
            [ExplorerFixture.Log(service, "ERROR", "card declined", new { user_id = "u9", amount = 12.5 }), ExplorerFixture.Log(service, "INFO", "card accepted")], Ct);
        var explorer = await system.OpenAsync(path == "/" ? $"/?q={Uri.EscapeDataString($"service:{service}")}" : path, width, height);
        if (path == "/")
        {
            await Expect(explorer.Rows).ToHaveCountAsync(2);
            await explorer.Messages.First.ClickAsync();
            await Expect(explorer.Page.GetByTestId("detail-message")).ToBeVisibleAsync();
        }
        else
        {
            await Expect(explorer.Page.GetByTestId("service-row").First).ToBeVisibleAsync();
        }

        var results = await explorer.Page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}")));

        // Nothing wider than the screen: the page scrolls vertically only.
        Assert.True(await explorer.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"the page is wider than a {width}px screen");
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task The_dark_theme_is_one_click_away()
    {
        var explorer = await system.OpenAsync();
        var before = await BackgroundAsync(explorer.Page);
        await explorer.Page.GetByRole(AriaRole.Button, new() { Name = "Switch light and dark theme" }).ClickAsync();
        await Expect(explorer.Page.Locator("body")).Not.ToHaveCSSAsync("background-color", before);
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
}
