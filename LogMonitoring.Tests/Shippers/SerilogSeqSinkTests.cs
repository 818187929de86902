using System.Diagnostics;
using System.Text.Json;
using Serilog;
using Serilog.Events;

namespace LogMonitoring.Tests.Shippers;

/// <summary>Serilog.Sinks.Seq, unchanged, pointed at ingest: every event, level and property arrives in Kafka.</summary>
public sealed class SerilogSeqSinkTests(IngestHost host) : IClassFixture<IngestHost>
{
    public sealed record OrderPlaced(int Id, decimal Total);

    [Fact]
    public async Task Every_event_level_and_property_arrives()
    {
        var service = TopicEvent.NewService("serilog");
        using var activity = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start();
        var failure = new InvalidOperationException("card declined");

        var handler = host.CreateHandler();
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.WithProperty("Application", service)
            .Enrich.WithProperty("MachineName", "web-01")
            .WriteTo.Seq(host.BaseAddress.ToString(), apiKey: IngestHost.WriterKey, messageHandler: handler, period: TimeSpan.FromMilliseconds(50))
            .CreateLogger();
        logger.Verbose("Cache probe {Key}", "user:42");
        logger.Debug("Loaded {Count} rules", 17);
        logger.Information("User {UserId} signed in from {Ip}", 42, "10.0.0.1");
        logger.Warning("Slow query took {Elapsed:0.00} ms", 1234.5678);
        logger.Error(failure, "Payment failed for {@Order}", new OrderPlaced(7, 9.5m));
        logger.Fatal("Shutting down: {Reason}", "disk full");
        await ((IAsyncDisposable)logger).DisposeAsync();

        Assert.NotEmpty(handler.Exchanges);
        Assert.All(handler.Exchanges, exchange =>
        {
            // Serilog.Sinks.Seq posts to Seq's raw endpoint, naming CLEF by its media type.
            Assert.Contains(exchange.Path, (string[])["/api/events/raw", "/api/events/raw?clef", "/ingest/clef"]);
            Assert.Equal("application/vnd.serilog.clef", exchange.ContentType);
            Assert.Equal(System.Net.HttpStatusCode.Created, exchange.Status);
        });
        var events = await host.ReadEventsAsync(service, 6);

        Assert.Equal(6, events.Count);
        Assert.Equal(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], events.Select(e => e.Text("level")).Order(LevelOrder.Instance));
        Assert.All(events, e =>
        {
            Assert.Equal("web-01", e.Text("host"));
            Assert.Equal(activity.TraceId.ToHexString(), e.Text("trace_id"));
            Assert.Equal(activity.SpanId.ToHexString(), e.Text("span_id"));
            Assert.Equal(service, e.Metadata().GetProperty("Application").GetString());
            Assert.True(DateTime.UtcNow - e.GetProperty("timestamp").GetDateTime().ToUniversalTime() < TimeSpan.FromMinutes(5));
        });

        var signedIn = events.Single(e => e.Text("level") == "INFO");
        Assert.Equal("User 42 signed in from 10.0.0.1", signedIn.Text("message"));
        Assert.Equal(42, signedIn.Metadata().GetProperty("UserId").GetInt32());
        Assert.Equal("10.0.0.1", signedIn.Metadata().GetProperty("Ip").GetString());
        Assert.Equal("User {UserId} signed in from {Ip}", signedIn.Metadata().GetProperty("message_template").GetString());

        // The hole's format is applied by Serilog and carried in @r.
        Assert.Equal("Slow query took 1234.57 ms", events.Single(e => e.Text("level") == "WARN").Text("message"));

        var failed = events.Single(e => e.Text("level") == "ERROR");
        Assert.Equal("Payment failed for OrderPlaced { Id: 7, Total: 9.5 }", failed.Text("message"));
        var order = failed.Metadata().GetProperty("Order");
        Assert.Equal("OrderPlaced", order.GetProperty("_type").GetString());
        Assert.Equal(7, order.GetProperty("Id").GetInt32());
        Assert.StartsWith("System.InvalidOperationException: card declined", failed.Metadata().GetProperty("exception").GetString());

        Assert.Equal("Shutting down: disk full", events.Single(e => e.Text("level") == "FATAL").Text("message"));
        Assert.Equal("Cache probe user:42", events.Single(e => e.Text("level") == "TRACE").Text("message"));
    }

    [Fact]
    public async Task Seq_clients_get_201_with_the_minimum_level_and_the_api_key_is_accepted()
    {
        var service = TopicEvent.NewService("clef");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events/raw?clef")
        {
            Content = new StringContent(
                $$"""{"@t":"{{DateTime.UtcNow:O}}","@mt":"Hello {Name}","Name":"world","service":"{{service}}"}""" + "\n",
                System.Text.Encoding.UTF8, "application/vnd.serilog.clef"),
        };
        request.Headers.Add("X-Seq-ApiKey", IngestHost.WriterKey);
        using var seqClient = new HttpClient { BaseAddress = host.BaseAddress };

        using var response = await seqClient.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("MinimumLevelAccepted").ValueKind);
        Assert.Equal("Hello world", Assert.Single(await host.ReadEventsAsync(service, 1)).Text("message"));
    }

    [Theory]
    [InlineData(null, System.Net.HttpStatusCode.Unauthorized)]
    [InlineData("not-a-key", System.Net.HttpStatusCode.Unauthorized)]
    [InlineData(IngestHost.ReaderKey, System.Net.HttpStatusCode.Forbidden)]
    public async Task Shipper_endpoints_need_a_key_with_the_write_scope(string? seqApiKey, System.Net.HttpStatusCode expected)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        foreach (var path in (string[])["/ingest/clef", "/api/events/raw?clef", "/v1/logs", "/loki/api/v1/push", "/_bulk", "/logs/_bulk", "/gelf"])
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            if (seqApiKey is not null)
            {
                request.Headers.Add("X-Seq-ApiKey", seqApiKey);
            }

            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True(expected == response.StatusCode, $"{path} answered {response.StatusCode}, expected {expected}");
        }
    }

    [Fact]
    public async Task A_batch_of_invalid_events_is_refused_with_seq_errors()
    {
        var content = new StringContent("{\"@mt\":\"no service here\"}\nnot json\n", System.Text.Encoding.UTF8, "application/vnd.serilog.clef");

        using var response = await host.Client.PostAsync("/ingest/clef", content, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("Error").GetString();
        Assert.Contains("service: is required", error);
        Assert.Contains("line 2: not valid JSON", error);
    }

    [Fact]
    public async Task Text_that_cannot_be_decoded_is_refused_with_400_not_a_server_error()
    {
        var content = new StringContent("{\"@mt\":\"broken \\ud800 surrogate\",\"service\":\"clef-bad\"}\n", System.Text.Encoding.UTF8, "application/vnd.serilog.clef");

        using var response = await host.Client.PostAsync("/ingest/clef", content, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_legacy_raw_format_without_the_clef_marker_is_refused()
    {
        var content = new StringContent("{\"Events\":[]}", System.Text.Encoding.UTF8, "application/json");

        using var response = await host.Client.PostAsync("/api/events/raw", content, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    /// <summary>Orders wire level names from TRACE to FATAL.</summary>
    private sealed class LevelOrder : IComparer<string>
    {
        public static readonly LevelOrder Instance = new();

        public int Compare(string? x, string? y) =>
            LogMonitoring.Contracts.LogEventLevels.ParseWireName(x!).CompareTo(LogMonitoring.Contracts.LogEventLevels.ParseWireName(y!));
    }
}
