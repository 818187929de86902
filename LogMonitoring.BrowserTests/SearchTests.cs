using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogMonitoring.BrowserTests;

/// <summary>Finding logs as a person does: type a query, click a value, read the histogram, share the link.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class SearchTests(ExplorerFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Posted_logs_are_found_by_typing_a_query()
    {
        var service = ExplorerFixture.UniqueService("find");
        await system.PostAndWaitAsync($"service:{service}",
        [
            ExplorerFixture.Log(service, "INFO", "order 1001 created"),
            ExplorerFixture.Log(service, "ERROR", "payment gateway timed out after 5000 ms"),
            ExplorerFixture.Log(service, "INFO", "order 1002 created"),
        ], Ct);

        var explorer = await system.OpenAsync();
        await explorer.SearchAsync($"service:{service} AND \"timed out\"");

        await Expect(explorer.Messages).ToHaveTextAsync(["payment gateway timed out after 5000 ms"]);
        await Expect(explorer.Rows.First.Locator(".level-badge")).ToHaveTextAsync("ERROR");
        // The whole query lives in the URL.
        Assert.Contains(Uri.EscapeDataString($"service:{service}"), explorer.Page.Url, StringComparison.Ordinal);
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task Clicking_a_metadata_value_filters_the_list_by_it()
    {
        var service = ExplorerFixture.UniqueService("click");
        await system.PostAndWaitAsync($"service:{service}",
        [
            ExplorerFixture.Log(service, "INFO", "login ok", new { user_id = "u1", http = new { status = 200 } }),
            ExplorerFixture.Log(service, "WARN", "login slow", new { user_id = "u2", http = new { status = 200 } }),
            ExplorerFixture.Log(service, "ERROR", "login failed", new { user_id = "u1", http = new { status = 500 } }),
        ], Ct);

        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString($"service:{service}")}");
        await Expect(explorer.Rows).ToHaveCountAsync(3);
        await explorer.Messages.Filter(new() { HasText = "login slow" }).ClickAsync();
        var detail = explorer.Page.GetByRole(AriaRole.Complementary, new() { Name = "Log detail" });
        await Expect(detail.GetByTestId("detail-message")).ToHaveTextAsync("login slow");

        // The user_id of the slow login is u2: clicking "not" next to it leaves the two u1 logs.
        await detail.Locator("button.not-button[data-field='user_id']").ClickAsync();
        await Expect(explorer.Messages).ToHaveTextAsync(["login failed", "login ok"]);
        await Expect(explorer.QueryBox).ToHaveValueAsync($"service:{service} AND NOT user_id:u2");

        // A nested number: http.status = 500 (compared as a number) leaves the failed login.
        await explorer.Messages.Filter(new() { HasText = "login failed" }).ClickAsync();
        await detail.Locator("button.value-button[data-field='http.status']").ClickAsync();
        await Expect(explorer.Messages).ToHaveTextAsync(["login failed"]);
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task The_histogram_total_equals_the_count_api_for_the_same_query()
    {
        var service = ExplorerFixture.UniqueService("histo");
        var logs = Enumerable.Range(0, 25)
            .Select(i => ExplorerFixture.Log(service, i % 5 == 0 ? "ERROR" : "INFO", $"request {i} done"))
            .ToList();
        await system.PostAndWaitAsync($"service:{service}", logs, Ct);

        var query = $"service:{service} AND level:INFO,ERROR";
        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString(query)}");
        var total = explorer.Page.GetByTestId("histogram-total");
        await Expect(total).ToHaveTextAsync("25");
        Assert.Equal(await system.CountAsync(query, Ct), long.Parse(await total.TextContentAsync() ?? "", System.Globalization.CultureInfo.InvariantCulture));

        // Narrower: the count API and the histogram agree on the errors alone too.
        await explorer.SearchAsync($"service:{service} AND level:ERROR");
        await Expect(total).ToHaveTextAsync(
            (await system.CountAsync($"service:{service} AND level:ERROR", Ct)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(explorer.Page.Locator("#histogram .plot-container")).ToBeVisibleAsync();
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task Dragging_across_the_histogram_zooms_into_that_range()
    {
        var service = ExplorerFixture.UniqueService("zoom");
        var now = DateTime.UtcNow;
        // One log every 2 minutes over the last 50 minutes, so any part of the hour in the middle holds some.
        var logs = Enumerable.Range(1, 25)
            .Select(i => ExplorerFixture.Log(service, i % 6 == 0 ? "ERROR" : "INFO", $"tick {2 * i} minutes ago", at: now.AddMinutes(-2 * i)))
            .ToList();
        var query = $"service:{service}";
        await system.PostAndWaitAsync(query, logs, Ct);

        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString(query)}", height: 1000);
        var total = explorer.Page.GetByTestId("histogram-total");
        await Expect(total).ToHaveTextAsync("25");
        await Expect(explorer.Page.Locator("#histogram .plot-container")).ToBeVisibleAsync();

        // The plot area and the times at its edges (plotly's own axis, in the shown zone: Europe/Paris here).
        var plot = explorer.Page.Locator("#histogram .nsewdrag");
        var box = await plot.BoundingBoxAsync() ?? throw new InvalidOperationException("the histogram has no plot area");
        var axis = await explorer.Page.EvaluateAsync<double[]>(
            "() => { const ax = document.getElementById('histogram')._fullLayout.xaxis; return [ax.r2l(ax.range[0]), ax.r2l(ax.range[1])]; }");
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        DateTime AtFraction(double fraction) => TimeZoneInfo.ConvertTimeToUtc(
            DateTime.SpecifyKind(DateTime.UnixEpoch.AddMilliseconds(axis[0] + fraction * (axis[1] - axis[0])), DateTimeKind.Unspecified), paris);

        var y = box.Y + box.Height / 2;
        await explorer.Page.Mouse.MoveAsync(box.X + box.Width * 0.3f, y);
        await explorer.Page.Mouse.DownAsync();
        await explorer.Page.Mouse.MoveAsync(box.X + box.Width * 0.7f, y, new() { Steps = 12 });
        await explorer.Page.Mouse.UpAsync();

        // The URL holds the dragged range, to within a few pixels' worth of time.
        await Expect(explorer.Page).ToHaveURLAsync(new Regex("[?&]end="));
        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(explorer.Page.Url).Query);
        string start = parameters["start"]!, end = parameters["end"]!;
        var tolerance = TimeSpan.FromMilliseconds(3 * (axis[1] - axis[0]) / box.Width);
        var parse = (string t) => DateTime.Parse(t, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.InRange(parse(start), AtFraction(0.3) - tolerance, AtFraction(0.3) + tolerance);
        Assert.InRange(parse(end), AtFraction(0.7) - tolerance, AtFraction(0.7) + tolerance);
        Assert.Equal(query, parameters["q"]);

        // The histogram counts that range, as the count API does, and the list holds that range's logs.
        var count = await system.CountAsync(query, Ct, start, end);
        Assert.InRange(count, 1, 24);
        await Expect(total).ToHaveTextAsync(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var page = await system.Stats.GetFromJsonAsync<System.Text.Json.JsonElement>(
            $"/api/logs?q={Uri.EscapeDataString(query)}&start={Uri.EscapeDataString(start)}&end={Uri.EscapeDataString(end)}&limit=100", Ct);
        var expected = page.GetProperty("items").EnumerateArray().Select(l => l.GetProperty("message").GetString()!).ToArray();
        Assert.Equal(count, expected.Length);
        await Expect(explorer.Messages).ToHaveTextAsync(expected);
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task A_shared_link_reopens_the_same_view_in_another_tab()
    {
        var service = ExplorerFixture.UniqueService("share");
        await system.PostAndWaitAsync($"service:{service}",
        [
            ExplorerFixture.Log(service, "INFO", "cache warmed"),
            ExplorerFixture.Log(service, "WARN", "cache nearly full"),
            ExplorerFixture.Log(service, "ERROR", "cache eviction failed"),
        ], Ct);

        var first = await system.OpenAsync();
        // One change after another, as fast as a person clicks: none waits for the page to load the one before.
        await first.SearchAsync($"service:{service}");
        await first.Page.GetByRole(AriaRole.Checkbox, new() { Name = "WARN" }).CheckAsync();
        await first.Page.GetByRole(AriaRole.Checkbox, new() { Name = "ERROR" }).CheckAsync();
        await first.Page.GetByLabel("Time range").SelectOptionAsync("now-6h");
        await Expect(first.Page).ToHaveURLAsync(new Regex("start=now-6h"));
        await Expect(first.Rows).ToHaveCountAsync(2);
        Assert.Equal(
            new Dictionary<string, string> { ["q"] = $"service:{service}", ["level"] = "WARN,ERROR", ["start"] = "now-6h" },
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(first.Page.Url).Query).ToDictionary(p => p.Key, p => p.Value.ToString()));
        var link = first.Page.Url;
        var shown = await first.Messages.AllTextContentsAsync();

        var second = await system.OpenAsync(new Uri(link).PathAndQuery);
        await Expect(second.QueryBox).ToHaveValueAsync($"service:{service}");
        await Expect(second.Page.GetByRole(AriaRole.Checkbox, new() { Name = "WARN" })).ToBeCheckedAsync();
        await Expect(second.Page.GetByRole(AriaRole.Checkbox, new() { Name = "INFO" })).Not.ToBeCheckedAsync();
        await Expect(second.Page.GetByLabel("Time range")).ToHaveValueAsync("now-6h");
        await Expect(second.Messages).ToHaveTextAsync([.. shown]);
        Assert.Empty(first.ConsoleErrors);
        Assert.Empty(second.ConsoleErrors);
        await first.CloseAsync();
        await second.CloseAsync();
    }

    [Fact]
    public async Task Changes_made_before_the_page_answers_all_apply()
    {
        var service = ExplorerFixture.UniqueService("quick");
        var now = DateTime.UtcNow;
        await system.PostAndWaitAsync($"service:{service}*",
        [
            ExplorerFixture.Log(service, "INFO", "queue drained", at: now.AddMinutes(-1)),
            ExplorerFixture.Log(service, "WARN", "queue backing up", at: now.AddMinutes(-2)),
            ExplorerFixture.Log(service, "ERROR", "queue consumer crashed", at: now.AddMinutes(-3)),
            ExplorerFixture.Log(service, "ERROR", "queue consumer crashed overnight", at: now.AddHours(-3)),
            // Another service's error: it shows if the query is lost.
            ExplorerFixture.Log(service + "-other", "ERROR", "someone else's failure", at: now.AddMinutes(-1)),
        ], Ct, start: "now-6h");
        var explorer = await system.OpenAsync();
        await Expect(explorer.Rows.First).ToBeVisibleAsync();

        // A query, two levels and a time range, all given before the page has heard back about the first: each
        // change reaches the page only after a round trip through the browser's URL, so dispatched in one go
        // they all arrive while the first is still on its way, however fast the machine.
        var query = $"service:{service}";
        await explorer.Page.EvaluateAsync(
            """
            query => {
                const box = document.getElementById("query");
                box.value = query;
                box.dispatchEvent(new Event("change", { bubbles: true }));
                box.form.requestSubmit();
                const level = name => [...document.querySelectorAll(".levels label")].find(l => l.textContent.trim() === name).querySelector("input");
                level("WARN").click();
                level("ERROR").click();
                const range = document.querySelector("select[aria-label='Time range']");
                range.value = "now-6h";
                range.dispatchEvent(new Event("change", { bubbles: true }));
            }
            """, query);

        await Expect(explorer.Messages).ToHaveTextAsync(["queue backing up", "queue consumer crashed", "queue consumer crashed overnight"]);
        await Expect(explorer.Page.GetByTestId("histogram-total")).ToHaveTextAsync("3");
        Assert.Equal(
            new Dictionary<string, string> { ["q"] = query, ["level"] = "WARN,ERROR", ["start"] = "now-6h" },
            Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(explorer.Page.Url).Query).ToDictionary(p => p.Key, p => p.Value.ToString()));
        await Expect(explorer.QueryBox).ToHaveValueAsync(query);
        await Expect(explorer.Page.GetByRole(AriaRole.Checkbox, new() { Name = "WARN" })).ToBeCheckedAsync();
        await Expect(explorer.Page.GetByRole(AriaRole.Checkbox, new() { Name = "ERROR" })).ToBeCheckedAsync();
        await Expect(explorer.Page.GetByRole(AriaRole.Checkbox, new() { Name = "INFO" })).Not.ToBeCheckedAsync();
        await Expect(explorer.Page.GetByLabel("Time range")).ToHaveValueAsync("now-6h");
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task Slash_focuses_the_query_box()
    {
        var explorer = await system.OpenAsync("/services");
        await explorer.Page.GetByRole(AriaRole.Link, new() { Name = "Search", Exact = true }).ClickAsync();
        await explorer.Page.Locator("body").ClickAsync(new() { Position = new Position { X = 5, Y = 300 } });
        await explorer.Page.Keyboard.PressAsync("/");
        await Expect(explorer.QueryBox).ToBeFocusedAsync();
        // The slash itself is not typed into the box.
        await Expect(explorer.QueryBox).ToHaveValueAsync("");
        await explorer.CloseAsync();
    }

    [Fact]
    public async Task The_detail_links_the_same_trace_copies_json_and_the_utc_switch_changes_the_times()
    {
        var service = ExplorerFixture.UniqueService("trace");
        var trace = Guid.NewGuid().ToString("N");
        await system.PostAndWaitAsync($"service:{service}*",
        [
            ExplorerFixture.Log(service, "INFO", "checkout started", new { cart = "c1" }, traceId: trace),
            ExplorerFixture.Log(service + "-payments", "ERROR", "card declined", traceId: trace),
            ExplorerFixture.Log(service, "INFO", "unrelated request"),
        ], Ct);

        var explorer = await system.OpenAsync($"/?q={Uri.EscapeDataString($"service:{service}")}");
        await explorer.Page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await explorer.Messages.Filter(new() { HasText = "checkout started" }).ClickAsync();
        var detail = explorer.Page.GetByRole(AriaRole.Complementary, new() { Name = "Log detail" });

        // Copy as JSON: the clipboard holds the log as the API returned it.
        await detail.GetByRole(AriaRole.Button, new() { Name = "Copy JSON" }).ClickAsync();
        await Expect(detail.GetByRole(AriaRole.Status)).ToHaveTextAsync("Copied the log as JSON.");
        var copied = System.Text.Json.JsonDocument.Parse(await explorer.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()")).RootElement;
        Assert.Equal("checkout started", copied.GetProperty("message").GetString());
        Assert.Equal("c1", copied.GetProperty("metadata").GetProperty("cart").GetString());

        // Same trace: every service's logs of that trace, and only those.
        await detail.GetByRole(AriaRole.Button, new() { Name = "Same trace" }).ClickAsync();
        await Expect(explorer.QueryBox).ToHaveValueAsync($"trace_id:{trace}");
        await Expect(explorer.Messages).ToHaveTextAsync(["card declined", "checkout started"]);

        // Local time (Europe/Paris in these tests) and UTC differ by the zone's offset.
        var firstTime = explorer.Rows.First.Locator(".col-time");
        var local = await firstTime.TextContentAsync();
        await explorer.Page.GetByRole(AriaRole.Switch, new() { Name = "UTC" }).ClickAsync();
        await Expect(explorer.Page.Locator("th.col-time")).ToHaveTextAsync("Time (UTC)");
        var utc = await firstTime.TextContentAsync();
        var parse = (string? t) => DateTime.ParseExact(t!.Trim(), "yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        var offset = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris").GetUtcOffset(DateTime.UtcNow);
        Assert.Equal(offset, parse(local) - parse(utc));
        Assert.Contains("utc=1", explorer.Page.Url, StringComparison.Ordinal);
        Assert.Empty(explorer.ConsoleErrors);
        await explorer.CloseAsync();
    }
}
