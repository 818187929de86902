using System.Diagnostics;
using LogMonitoring.LoadGen.Search;
using Microsoft.Playwright;

namespace LogMonitoring.LoadGen.Explorer;

public sealed record Spread(double P50, double P95, double Max);

/// <param name="FirstRows">From opening the link until the first result row is visible.</param>
/// <param name="Histogram">From opening the link until the histogram's total is shown.</param>
/// <param name="Floor">The same first page straight from the search API (what any client pays).</param>
public sealed record FirstResultsCase(string Name, string What, string Link, Spread FirstRows, Spread Histogram, Spread Floor, double RatioP50, double OverheadP50);

public sealed record FirstResultsSummary(string ExplorerUrl, int Repeat, int PageSize, IReadOnlyList<FirstResultsCase> Cases);

/// <summary>
/// How long a person waits for the first logs after opening a link to the explorer: a real browser
/// (Debian's chromium through Playwright) loads the page, starts a Blazor circuit, reads the key from the
/// tab's session storage and calls the stats API; the clock stops when the first row is visible. The floor
/// is the same first page fetched from the search API directly, so the ratio is what the explorer adds.
/// </summary>
public sealed class FirstResultsBenchmark(Uri explorerUrl, Uri statsUrl, string apiKey, string chromium, int repeat, int pageSize)
{
    private sealed record View(string Name, string What, IReadOnlyDictionary<string, string> Parameters);

    /// <summary>What a person opens: the default view, one service, a text search, the errors of a month (the generated corpus's values).</summary>
    private static readonly View[] Views =
    [
        new("last-hour", "every log of the last hour (the explorer's default view)", new Dictionary<string, string>()),
        new("service-7d", "one service over 7 days", new Dictionary<string, string> { ["service"] = "svc-01", ["start"] = "now-7d" }),
        new("common-word-24h", "a common word (1 log in 5) over 24 hours", new Dictionary<string, string> { ["q"] = SearchCorpusShape.CommonWord, ["start"] = "now-24h" }),
        new("rare-word-7d", "a rare word (1 log in 20,000) over 7 days", new Dictionary<string, string> { ["q"] = SearchCorpusShape.RareWord, ["start"] = "now-7d" }),
        new("errors-30d", "level ERROR over 30 days", new Dictionary<string, string> { ["level"] = "ERROR", ["start"] = "now-30d" }),
    ];

    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Three times the goal: a load this slow has its requests' timings written to the log.</summary>
    private static readonly TimeSpan SlowLoad = TimeSpan.FromSeconds(3);

    private const string RequestTimings =
        "() => JSON.stringify([...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]" +
        ".map(e => [e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.responseStart || 0), Math.round(e.duration)]))";

    public async Task<FirstResultsSummary> RunAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout((float)PageTimeout.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        using var api = new HttpClient { BaseAddress = statsUrl, Timeout = PageTimeout };
        api.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

        var cases = new List<FirstResultsCase>();
        foreach (var view in Views)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var link = "/" + QueryString(view.Parameters);
            progress($"timing {view.Name}: {link}");
            var rows = new List<double>();
            var histograms = new List<double>();
            var floors = new List<double>();
            // Two warm-up runs of each, then the timed ones; the API and the page take turns, so both see the same machine.
            for (var run = -2; run < repeat; run++)
            {
                var (firstRows, histogram) = await OpenAsync(page, link);
                var floor = await FetchFirstPageAsync(api, view, cancellationToken);
                progress($"  load {run}: first rows {firstRows:N0} ms, histogram {histogram:N0} ms, API {floor:N1} ms");
                if (firstRows > SlowLoad.TotalMilliseconds)
                {
                    // Where a slow load waited: each request of the page, when it started and when its answer began.
                    progress($"  slow load, requests [path, start ms, answer starts ms, duration ms]: {await page.EvaluateAsync<string>(RequestTimings)}");
                }

                if (run >= 0)
                {
                    rows.Add(firstRows);
                    histograms.Add(histogram);
                    floors.Add(floor);
                }
            }

            var (r, h, f) = (SpreadOf(rows), SpreadOf(histograms), SpreadOf(floors));
            cases.Add(new FirstResultsCase(view.Name, view.What, link, r, h, f, Math.Round(r.P50 / Math.Max(f.P50, 0.001), 1), Math.Round(r.P50 - f.P50, 1)));
        }

        return new FirstResultsSummary(explorerUrl.ToString(), repeat, pageSize, cases);
    }

    /// <summary>Signs in once; the key stays in this tab's session storage, as it does for a person, for every later load.</summary>
    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(explorerUrl.ToString());
        await page.Locator("#api-key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("#query, .sign-in [role=alert]").First.WaitForAsync();
        if (await page.Locator(".sign-in [role=alert]").CountAsync() > 0)
        {
            throw new InvalidOperationException("The explorer refused the key: " + await page.Locator(".sign-in [role=alert]").TextContentAsync());
        }
    }

    /// <summary>A full page load of the link (a new circuit), timed until the first row and the histogram's total are visible.</summary>
    private async Task<(double FirstRows, double Histogram)> OpenAsync(IPage page, string link)
    {
        await page.GotoAsync("about:blank");
        var started = Stopwatch.GetTimestamp();
        await page.GotoAsync(new Uri(explorerUrl, link).ToString(), new() { WaitUntil = WaitUntilState.Commit });

        async Task<double> VisibleAsync(string selector)
        {
            await page.Locator(selector).First.WaitForAsync(new() { State = WaitForSelectorState.Visible });
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        try
        {
            var rows = VisibleAsync("[data-testid=log-row]");
            var histogram = VisibleAsync("[data-testid=histogram-total]");
            return (await rows, await histogram);
        }
        catch (TimeoutException)
        {
            var alert = await page.Locator("[role=alert]").AllTextContentsAsync();
            throw new InvalidOperationException($"No result row within {PageTimeout.TotalSeconds:N0} s at {link} (an empty range, or signed out?) {string.Join(" ", alert)}");
        }
    }

    private async Task<double> FetchFirstPageAsync(HttpClient api, View view, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(view.Parameters) { ["limit"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var started = Stopwatch.GetTimestamp();
        using var response = await api.GetAsync("/api/logs" + QueryString(parameters), cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static string QueryString(IReadOnlyDictionary<string, string> parameters) =>
        parameters.Count == 0 ? "" : "?" + string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

    private static Spread SpreadOf(List<double> samples)
    {
        samples.Sort();
        double Quantile(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        return new Spread(Math.Round(Quantile(0.5), 1), Math.Round(Quantile(0.95), 1), Math.Round(samples[^1], 1));
    }
}
