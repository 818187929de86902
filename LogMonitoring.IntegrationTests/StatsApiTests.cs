using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The statistics through the real system: every 1m/5m/1h bucket and error rate the API answers equals
/// a brute-force count over the events sent (late arrivals and retried sender ids included).
/// </summary>
[Collection(EmbeddedSystemCollection.Name)]
public sealed class StatsApiTests(EmbeddedSystemFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Sent(string Id, DateTime Timestamp, LogEventLevel Level, string Service);

    private static readonly string[] Levels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

    private async Task PostAsync(IEnumerable<Sent> events)
    {
        var ndjson = string.Join("\n", events.Select(e => JsonSerializer.Serialize(new
        {
            id = e.Id,
            timestamp = e.Timestamp.ToString("O"),
            level = Levels[(int)e.Level],
            service = e.Service,
            message = $"stats test {e.Id}",
        })));
        using var response = await system.Ingest.PostAsync("/api/logs", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Every_bucket_and_error_rate_equals_a_count_over_the_events_sent()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        string[] services = [$"st-{run}-api", $"st-{run}-auth"];
        var random = new Random(7);
        var now = DateTime.UtcNow;
        var events = Enumerable.Range(0, 4000).Select(i => new Sent(
            $"s{i}",
            // Spread over the last 5 hours, with a dense last quarter of an hour for the error rate.
            i % 4 is 0 or 1 ? now.AddSeconds(-random.Next(1, 900)) : now.AddSeconds(-random.Next(900, 5 * 3600)),
            (LogEventLevel)random.Next(6),
            services[i % 2])).ToList();

        foreach (var batch in events.Take(3000).Chunk(500))
        {
            await PostAsync(batch);
        }

        // Late arrivals into buckets that may be rolled up already, plus a retry of sender ids.
        await Task.Delay(1500, Ct);
        foreach (var batch in events.Skip(3000).Concat(events.Take(300)).Chunk(500))
        {
            await PostAsync(batch);
        }

        foreach (var service in services)
        {
            Assert.Equal(events.Count(e => e.Service == service),
                await StatsPolling.WaitForCountAsync(system.Stats, $"service={service}", events.Count(e => e.Service == service), TimeSpan.FromMinutes(2), Ct));
        }

        foreach (var (interval, length) in new[] { ("1m", TimeSpan.FromMinutes(1)), ("5m", TimeSpan.FromMinutes(5)), ("1h", TimeSpan.FromHours(1)) })
        {
            foreach (var service in services)
            {
                var expected = events.Where(e => e.Service == service)
                    .GroupBy(e => new DateTime(e.Timestamp.Ticks - (e.Timestamp.Ticks % length.Ticks), DateTimeKind.Utc))
                    .ToDictionary(g => g.Key, g => (Total: g.Count(), Errors: g.Count(e => e.Level >= LogEventLevel.Error)));
                var start = now.AddHours(-6).ToString("O");
                var url = $"/api/stats/series?interval={interval}&service={service}&start={start}&end=now%2B1m";

                // The rollups run every second; give them a few cycles to catch up.
                JsonElement series = default;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    series = await system.Stats.GetFromJsonAsync<JsonElement>(url, Ct);
                    if (series.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("total").GetInt64()) == events.Count(e => e.Service == service))
                    {
                        break;
                    }

                    await Task.Delay(250, Ct);
                }

                var points = series.GetProperty("points").EnumerateArray().ToList();
                // Empty buckets are filled with zeros: one point per bucket of the range.
                Assert.True(points.Count >= (interval == "1h" ? 6 : 72));
                foreach (var point in points)
                {
                    var bucket = point.GetProperty("bucket").GetDateTime().ToUniversalTime();
                    var want = expected.GetValueOrDefault(bucket);
                    Assert.True(want.Total == point.GetProperty("total").GetInt64(), $"{interval} {service} {bucket:O}: expected {want.Total}, got {point.GetProperty("total")}");
                    Assert.Equal(want.Errors, point.GetProperty("errors").GetInt64());
                }
            }
        }

        var hourly = await system.Stats.GetFromJsonAsync<JsonElement>($"/api/stats/hourly?service={services[0]}&start=now-6h", Ct);
        Assert.Equal(events.Count(e => e.Service == services[0]), hourly.EnumerateArray().Sum(b => b.GetProperty("total").GetInt64()));

        var rate = await system.Stats.GetFromJsonAsync<JsonElement>("/api/stats/error-rate?service=all&window=15m", Ct);
        var windowStart = rate.GetProperty("start").GetDateTime().ToUniversalTime();
        foreach (var service in services)
        {
            var inWindow = events.Where(e => e.Service == service && e.Timestamp >= windowStart).ToList();
            var answer = rate.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == service);
            Assert.Equal(inWindow.Count, answer.GetProperty("total").GetInt64());
            Assert.Equal(inWindow.Count(e => e.Level >= LogEventLevel.Error), answer.GetProperty("errors").GetInt64());
            Assert.Equal(Math.Round((double)inWindow.Count(e => e.Level >= LogEventLevel.Error) / inWindow.Count, 6), answer.GetProperty("errorRate").GetDouble(), 6);
        }

        // service=all also answers the overall rate: every service's counts summed.
        var overall = rate.GetProperty("overall");
        var allServices = rate.GetProperty("services").EnumerateArray().ToList();
        var overallTotal = allServices.Sum(s => s.GetProperty("total").GetInt64());
        var overallErrors = allServices.Sum(s => s.GetProperty("errors").GetInt64());
        Assert.Equal(overallTotal, overall.GetProperty("total").GetInt64());
        Assert.Equal(overallErrors, overall.GetProperty("errors").GetInt64());
        Assert.Equal(Math.Round((double)overallErrors / overallTotal, 6), overall.GetProperty("errorRate").GetDouble(), 6);

        var known = await system.Stats.GetFromJsonAsync<JsonElement>("/api/stats/services", Ct);
        foreach (var service in services)
        {
            var entry = known.EnumerateArray().Single(s => s.GetProperty("service").GetString() == service);
            Assert.Equal(events.Count(e => e.Service == service), entry.GetProperty("total").GetInt64());
            Assert.Equal(events.Where(e => e.Service == service).Max(e => e.Timestamp), entry.GetProperty("lastSeen").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        }
    }

    [Fact]
    public async Task A_log_is_counted_in_its_minute_bucket_within_seconds()
    {
        var service = $"fresh-{Guid.NewGuid():N}"[..20];
        var clock = Stopwatch.StartNew();
        await PostAsync([new Sent("f1", DateTime.UtcNow, LogEventLevel.Error, service)]);
        var acknowledged = clock.Elapsed;
        long total = 0;
        while (total == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var series = await system.Stats.GetFromJsonAsync<JsonElement>($"/api/stats/series?interval=1m&service={service}&start=now-5m&end=now%2B1m", Ct);
            total = series.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("total").GetInt64());
            if (total == 0)
            {
                await Task.Delay(100, Ct);
            }
        }

        TestContext.Current.SendDiagnosticMessage($"freshness: acknowledged after {acknowledged.TotalMilliseconds:F0} ms, counted after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(1, total);
    }

    [Theory]
    [InlineData("/api/stats/series?interval=2m", "interval")]
    [InlineData("/api/stats/series?interval=1m&start=now-30d", "start")]
    [InlineData("/api/stats/series?start=now&end=now-1h", "end")]
    [InlineData("/api/stats/series?start=yesterday", "start")]
    [InlineData("/api/stats/series?end=2024-13-45T99:00:00Z", "end")]
    [InlineData("/api/stats/series?level=LOUD", "level")]
    [InlineData("/api/stats/series?service=a%20b", "service")]
    [InlineData("/api/stats/hourly?start=now-100000w", "start")]
    [InlineData("/api/stats/hourly?service=%7B%22%24gt%22%3A%22%22%7D", "service")]
    [InlineData("/api/stats/error-rate?window=0m", "window")]
    [InlineData("/api/stats/error-rate?window=2d", "window")]
    [InlineData("/api/stats/error-rate?window=5x", "window")]
    [InlineData("/api/stats/services?window=30m", "window")]
    [InlineData("/api/stats/services?window=32d", "window")]
    [InlineData("/api/logs?limit=0", "limit")]
    [InlineData("/api/logs?limit=5000", "limit")]
    [InlineData("/api/logs?limit=ten", "limit")]
    [InlineData("/api/logs?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/logs?level=ERROR,NOPE", "level")]
    [InlineData("/api/logs?start=now-1h&end=now-2h", "end")]
    [InlineData("/api/logs/count?service=%24where", "service")]
    [InlineData("/api/logs/count?q=%00", "q")]
    public async Task Bad_parameters_get_a_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await system.Stats.GetAsync(url, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/stats/series?interval=1h&start=now-7d&level=ERROR,FATAL")]
    [InlineData("/api/stats/error-rate?service=nobody-here")]
    [InlineData("/api/stats/hourly")]
    [InlineData("/api/stats/services")]
    [InlineData("/api/stats/services?window=7d")]
    [InlineData("/api/logs/count?service=it-api,it-auth&level=ERROR,FATAL")]
    [InlineData("/api/logs?q=%24where%20(a%2B)%2B%24&level=warning")]
    public async Task Good_parameters_are_answered(string url)
    {
        using var response = await system.Stats.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
