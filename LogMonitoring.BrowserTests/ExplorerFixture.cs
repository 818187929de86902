using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace LogMonitoring.BrowserTests;

/// <summary>
/// The whole system from the real AppHost in embedded mode, and Debian's chromium driven by Playwright
/// (never Playwright's own browser download): started once and shared by the browser tests.
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium (.ci/install.sh installs it); LOGMON_CHROMIUM points elsewhere.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("LOGMON_CHROMIUM") ?? "/usr/bin/chromium";

    public const string ApiKey = LogMonitoring.AppHost.ApiKeys.DevelopmentKey;

    private readonly string _dataPath = Directory.CreateTempSubdirectory("logmon-browser-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public HttpClient Ingest { get; private set; } = null!;

    public HttpClient Stats { get; private set; } = null!;

    /// <summary>The explorer's address, as the Aspire dashboard links it.</summary>
    public Uri ExplorerUrl { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The Prometheus the explorer's services page reads the pipeline's health from.</summary>
    public PrometheusStandIn Prometheus { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No chromium at {ChromiumPath}: install Debian's chromium (.ci/install.sh does) or set LOGMON_CHROMIUM.");
        }

        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        Prometheus = await PrometheusStandIn.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogMonitoring_AppHost>(
            [
                "--LogMonitoring:Mode=embedded",
                $"--LogMonitoring:DataPath={_dataPath}",
                "--DcpPublisher:RandomizePorts=true",
                // The AppHost's Prometheus needs the fixed port 9090; the explorer reads a stand-in with known figures instead.
                "--LogMonitoring:Prometheus=false",
                "--DcpPublisher:WaitForResourceCleanup=false",
            ],
            startup.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));
        builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "explorer").Annotations.Add(
            new EnvironmentCallbackAnnotation(variables => variables["Explorer__PrometheusUrl"] = Prometheus.Url.ToString()));
        builder.Services.ConfigureHttpClientDefaults(http => http.ConfigureHttpClient(c => c.Timeout = TimeSpan.FromMinutes(2)));

        App = await builder.BuildAsync(startup.Token);
        await App.StartAsync(startup.Token);
        foreach (var resource in new[] { "ingest", "persister", "stats", "explorer" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
        }

        Ingest = App.CreateHttpClient("ingest");
        Stats = App.CreateHttpClient("stats");
        Ingest.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Stats.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        ExplorerUrl = App.GetEndpoint("explorer", "http");

        // A shared 2-core machine: expectations wait up to 30 s (they pass as soon as the page is right).
        Assertions.SetDefaultExpectTimeout(30_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A new browser tab (its own session storage) at the explorer, signed in with the development key.</summary>
    public async Task<ExplorerPage> OpenAsync(string pathAndQuery = "/", int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = ExplorerUrl.ToString(),
            TimezoneId = "Europe/Paris",
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var explorer = new ExplorerPage(page);
        await page.GotoAsync(pathAndQuery);
        await explorer.SignInAsync(ApiKey);
        return explorer;
    }

    /// <summary>Posts the logs (NDJSON) and waits until the stats API finds all of them by <paramref name="query"/> from <paramref name="start"/>.</summary>
    public async Task PostAndWaitAsync(string query, IReadOnlyList<object> logs, CancellationToken cancellationToken, string start = "now-1h")
    {
        var before = await CountAsync(query, cancellationToken, start);
        await PostAsync(logs, cancellationToken);
        var clock = Stopwatch.StartNew();
        while (await CountAsync(query, cancellationToken, start) < before + logs.Count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"the {logs.Count} posted logs were not all searchable after 2 minutes ({query})");
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until the stats API lists <paramref name="service"/>: the list comes from the rollups, which count a
    /// log a moment after it is searchable, and the services page reads it once when it opens.
    /// </summary>
    public async Task WaitUntilListedAsync(string service, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!(await Stats.GetFromJsonAsync<JsonElement>("/api/stats/services", cancellationToken)).EnumerateArray()
                   .Any(s => s.GetProperty("service").GetString() == service))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"{service} was not listed by the services API after 2 minutes");
            await Task.Delay(250, cancellationToken);
        }
    }

    public async Task PostAsync(IReadOnlyList<object> logs, CancellationToken cancellationToken)
    {
        var ndjson = string.Join('\n', logs.Select(l => JsonSerializer.Serialize(l)));
        using var response = await Ingest.PostAsync("/api/logs", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"), cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public async Task<long> CountAsync(string query, CancellationToken cancellationToken, string start = "now-1h", string? end = null)
    {
        var url = $"/api/logs/count?q={Uri.EscapeDataString(query)}&start={Uri.EscapeDataString(start)}" + (end is null ? "" : $"&end={Uri.EscapeDataString(end)}");
        var body = await Stats.GetFromJsonAsync<JsonElement>(url, cancellationToken);
        return body.GetProperty("count").GetInt64();
    }

    public static object Log(string service, string level, string message, object? metadata = null, string? host = null, string? traceId = null, DateTime? at = null) => new
    {
        timestamp = (at ?? DateTime.UtcNow).ToString("O"),
        level,
        service,
        message,
        host,
        trace_id = traceId,
        metadata,
    };

    /// <summary>A service name of this test run only, so tests sharing the system do not see each other's logs.</summary>
    public static string UniqueService(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A service may still hold the file for a moment after stopping; the folder is temporary anyway.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ExplorerCollection : ICollectionFixture<ExplorerFixture>
{
    public const string Name = "Explorer in a browser";
}
