using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The query language, aggregations and live tail through the real system: logs posted to ingest are
/// found by the issue's example queries, counted over time and by field, and streamed as they are stored.
/// </summary>
[Collection(EmbeddedSystemCollection.Name)]
public sealed class SearchApiTests(EmbeddedSystemFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Q(string query) => Uri.EscapeDataString(query);

    /// <summary>Posts the events (service names made unique to this run) and waits until all are searchable.</summary>
    private async Task<string> SeedAsync(string service, IReadOnlyList<object> events)
    {
        var ndjson = string.Join('\n', events.Select(e => JsonSerializer.Serialize(e)));
        var query = $"q={Q($"service:{service}*")}";
        var before = await StatsPolling.CountAsync(system.Stats, query, Ct);
        using var response = await system.Ingest.PostAsync("/api/logs", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before + events.Count, await StatsPolling.WaitForCountAsync(system.Stats, query, before + events.Count, TimeSpan.FromMinutes(2), Ct));
        return service;
    }

    private static object Log(string service, string level, string message, string? host = null, string? trace = null, object? metadata = null, DateTime? at = null) => new
    {
        timestamp = (at ?? DateTime.UtcNow).ToString("O"),
        level,
        service,
        message,
        host,
        trace_id = trace,
        metadata,
    };

    [Fact]
    public async Task The_issue_examples_find_what_a_reader_expects()
    {
        var run = $"qa{Guid.NewGuid():N}"[..10];
        var api = $"{run}-api";
        var trace = Guid.NewGuid().ToString("N");
        await SeedAsync(run,
        [
            Log(api, "INFO", "login ok", "web-1", trace, new { user_id = "u1", duration_ms = 120 }),
            Log(api, "ERROR", "upstream timed out", "web-2", metadata: new { user_id = "u1", duration_ms = 900 }),
            Log(api, "INFO", "Request TIMED OUT, retrying", "web-3", metadata: new { user_id = "u2", duration_ms = 30_000 }),
            Log($"{run}-auth", "FATAL", "token store down", "web-1", trace, new { user_id = "u1" }),
            Log($"{run}-auth", "WARN", "slow token check", "web-9", metadata: new { duration_ms = 501.5 }),
        ]);

        async Task<List<string>> Messages(string query) =>
            (await StatsPolling.AllLogsAsync(system.Stats, $"q={Q($"service:{run}* AND ({query})")}", Ct)).Select(i => i.GetProperty("message").GetString()!).Order().ToList();

        Assert.Equal(["login ok", "upstream timed out"], await Messages($"service:{api} AND user_id:u1"));
        Assert.Equal(["login ok", "token store down"], await Messages($"trace_id:{trace}"));
        Assert.Equal(["upstream timed out"], await Messages("\"timed out\" AND NOT level:INFO"));
        Assert.Equal(["Request TIMED OUT, retrying", "slow token check", "upstream timed out"], await Messages("duration_ms>500"));
        Assert.Equal(["login ok", "token store down", "upstream timed out"], await Messages("level:ERROR,FATAL AND (host:web-1 OR host:web-2) OR login"));
        Assert.Equal(["token store down", "upstream timed out"], await Messages("level:ERROR,FATAL AND (host:web-1 OR host:web-2)"));
    }

    [Theory]
    [InlineData("level:LOUD", "column 7: 'LOUD' is not a level")]
    [InlineData("(timeout", "column 9: unexpected end of input, expected closing parenthesis")]
    [InlineData("host:\"web-1", "expected closing quote")]
    public async Task A_query_that_cannot_be_read_is_a_400_naming_the_column(string query, string expected)
    {
        foreach (var path in new[] { "/api/logs", "/api/logs/count", "/api/logs/histogram", "/api/logs/top?field=service&x=1", "/api/logs/tail" })
        {
            var url = path + (path.Contains('?') ? "&" : "?") + $"q={Q(query)}";
            using var response = await system.Stats.GetAsync(url, Ct);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(expected, problem.GetProperty("errors").GetProperty("q")[0].GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Histogram_and_top_count_the_matching_logs()
    {
        var run = $"agg{Guid.NewGuid():N}"[..11];
        var minute = DateTime.UtcNow.AddMinutes(-10);
        minute = new DateTime(minute.Ticks - (minute.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        var events = Enumerable.Range(0, 60).Select(i => Log(
            run, i % 4 == 0 ? "ERROR" : "INFO", $"request {i}", metadata: new { http = new { route = i % 3 == 0 ? "/api/orders" : "/api/users" } },
            at: minute.AddSeconds(i * 5))).ToList();
        await SeedAsync(run, events);
        var range = $"start={Q(minute.ToString("O"))}&end={Q(minute.AddMinutes(5).ToString("O"))}";

        var histogram = await system.Stats.GetFromJsonAsync<JsonElement>($"/api/logs/histogram?q={Q($"service:{run}")}&{range}&interval=1m", Ct);
        var buckets = histogram.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal("1m", histogram.GetProperty("interval").GetString());
        Assert.Equal(5, buckets.Count);
        Assert.All(buckets, b => Assert.Equal(12, b.GetProperty("total").GetInt64()));
        Assert.All(buckets, b => Assert.Equal(3, b.GetProperty("levels").GetProperty("ERROR").GetInt64()));

        var top = await system.Stats.GetFromJsonAsync<JsonElement>($"/api/logs/top?q={Q($"service:{run} AND level:ERROR")}&field=http.route&{range}", Ct);
        var values = top.GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("value").GetString(), v.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("/api/orders", 5L), ("/api/users", 10L)], values.OrderBy(v => v.Item1, StringComparer.Ordinal));
        Assert.Equal("/api/users", values[0].Item1);
    }

    [Fact]
    public async Task The_live_tail_streams_new_matches_and_resumes_after_the_last_event_it_delivered()
    {
        var run = $"tail{Guid.NewGuid():N}"[..12];
        var url = $"/api/logs/tail?q={Q($"service:{run} AND level:ERROR")}";
        // Tails another test just closed may hold their slots for a poll interval.
        Assert.True(await WaitForFreeTailAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await system.Stats.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        await SeedAsync(run, Enumerable.Range(0, 6).Select(i => Log(run, i % 2 == 0 ? "ERROR" : "INFO", $"first {i}")).ToList());
        var stream = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var first = new List<(string Id, string Message)>();
        while (first.Count < 2)
        {
            var item = await stream.NextAsync("log", Ct);
            first.Add((item.Id, item.Data.GetProperty("message").GetString()!));
        }

        // Disconnect after the second log; more logs arrive while nobody listens.
        response.Dispose();
        await SeedAsync(run, Enumerable.Range(0, 4).Select(i => Log(run, "ERROR", $"second {i}")).ToList());

        using var resume = new HttpRequestMessage(HttpMethod.Get, url);
        resume.Headers.Add("Last-Event-ID", first[^1].Id);
        using var resumed = await system.Stats.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, Ct);
        var rest = new SseReader(await resumed.Content.ReadAsStreamAsync(Ct));
        var after = new List<string>();
        while (after.Count < 5)
        {
            after.Add((await rest.NextAsync("log", Ct)).Data.GetProperty("message").GetString()!);
        }

        // Every matching log once: the two before the disconnect, the five after it.
        Assert.Equal(["first 0", "first 2", "first 4", "second 0", "second 1", "second 2", "second 3"],
            first.Select(f => f.Message).Concat(after).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task One_key_holds_a_bounded_number_of_tails()
    {
        // Tails closed by the tests before are released within a poll interval.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        var open = new List<HttpResponseMessage>();
        try
        {
            HttpResponseMessage response;
            do
            {
                response = await system.Stats.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/logs/tail?q=nothing-matches-this"), HttpCompletionOption.ResponseHeadersRead, Ct);
                open.Add(response);
            }
            while (response.StatusCode == HttpStatusCode.OK && open.Count < 20);

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(6, open.Count);
            Assert.Contains("Search:MaxTailsPerKey", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }

        // Closed tails give their slots back.
        Assert.True(await WaitForFreeTailAsync(), "no tail could be opened within 30 s of closing them all");
    }

    /// <summary>Opens and closes a tail as soon as the key has a free slot again; false when none frees up.</summary>
    private async Task<bool> WaitForFreeTailAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await system.Stats.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/logs/tail?q=nothing-matches-this"), HttpCompletionOption.ResponseHeadersRead, Ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return true;
            }

            await Task.Delay(200, Ct);
        }

        return false;
    }

    /// <summary>Reads Server-Sent Events: blank-line separated blocks of <c>field: value</c> lines.</summary>
    private sealed class SseReader(Stream stream)
    {
        private readonly StreamReader _reader = new(stream);

        public async Task<(string Id, string Type, JsonElement Data)> NextAsync(string type, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                string? id = null, eventType = null, data = null;
                string? line;
                while ((line = await _reader.ReadLineAsync(timeout.Token)) is not null && line.Length > 0)
                {
                    var colon = line.IndexOf(':');
                    var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                    switch (field)
                    {
                        case "id": id = value; break;
                        case "event": eventType = value; break;
                        case "data": data = value; break;
                    }
                }

                if (line is null)
                {
                    throw new EndOfStreamException("the event stream ended");
                }

                if (eventType == type && data is not null)
                {
                    return (id!, eventType, JsonDocument.Parse(data).RootElement.Clone());
                }
            }
        }
    }
}
