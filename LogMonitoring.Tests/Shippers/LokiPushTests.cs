using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using LogMonitoring.Ingest.Formats.Loki;

namespace LogMonitoring.Tests.Shippers;

/// <summary>Loki push requests as Loki's API documentation and Promtail's client build them.</summary>
public sealed class LokiPushTests(IngestHost host) : IClassFixture<IngestHost>
{
    private static string Nanos(DateTime time) => ((ulong)(time - DateTime.UnixEpoch).Ticks * 100).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Json_push_maps_labels_and_structured_metadata()
    {
        var service = TopicEvent.NewService("loki-json");
        var time = DateTime.UtcNow.AddSeconds(-1);
        var body = $$"""
            {"streams":[{"stream":{"service_name":"{{service}}","level":"error","host":"vm-3","env":"prod"},
              "values":[["{{Nanos(time)}}","connection refused"],
                        ["{{Nanos(time)}}","retrying",{"trace_id":"0af7651916cd43dd8448eb211c80319c","attempt":"2"}]]}]}
            """;

        using var response = await host.Client.PostAsync("/loki/api/v1/push", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var events = await host.ReadEventsAsync(service, 2);
        Assert.All(events, e =>
        {
            Assert.Equal("ERROR", e.Text("level"));
            Assert.Equal("vm-3", e.Text("host"));
            Assert.Equal("prod", e.Metadata().GetProperty("labels").GetProperty("env").GetString());
        });
        var retrying = events.Single(e => e.Text("message") == "retrying");
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", retrying.Text("trace_id"));
        Assert.Equal("2", retrying.Metadata().GetProperty("attempt").GetString());
    }

    [Fact]
    public async Task Snappy_protobuf_push_as_promtail_sends_it()
    {
        var service = TopicEvent.NewService("loki-proto");
        var now = DateTime.UtcNow;
        var push = new PushRequest();
        var stream = new StreamAdapter { Labels = $$"""{job="varlogs", app="{{service}}", filename="/var/log/app \"a\".log"}""" };
        stream.Entries.Add(new EntryAdapter
        {
            Timestamp = new Timestamp { Seconds = (long)(now - DateTime.UnixEpoch).TotalSeconds, Nanos = 5000 },
            Line = "ts=2024-01-15T10:30:00Z level=warn msg=\"disk 91% full\"",
        });
        stream.Entries.Add(new EntryAdapter
        {
            Timestamp = new Timestamp { Seconds = (long)(now - DateTime.UnixEpoch).TotalSeconds },
            Line = """{"level":"debug","msg":"cache hit"}""",
        });
        push.Streams.Add(stream);

        using var response = await PostSnappyAsync(Snappier.Snappy.CompressToArray(push.ToByteArray()));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var events = await host.ReadEventsAsync(service, 2);
        Assert.Equal("WARN", events.Single(e => e.Text("message").Contains("disk")).Text("level"));
        Assert.Equal("DEBUG", events.Single(e => e.Text("message").Contains("cache")).Text("level"));
        Assert.All(events, e => Assert.Equal("/var/log/app \"a\".log", e.Metadata().GetProperty("labels").GetProperty("filename").GetString()));
    }

    [Fact]
    public async Task Refused_entries_get_400_naming_them_and_the_rest_is_kept()
    {
        var service = TopicEvent.NewService("loki-partial");
        var body = $$"""
            {"streams":[{"stream":{"service":"{{service}}"},
              "values":[["{{Nanos(DateTime.UtcNow)}}","fresh"],["{{Nanos(DateTime.UtcNow.AddDays(-45))}}","ancient"],["soon","bad time"]]}]}
            """;

        using var response = await host.Client.PostAsync("/loki/api/v1/push", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("2 of 3 entries were refused", text);
        Assert.Contains("days in the past", text);
        Assert.Contains("'soon' is not a timestamp", text);
        Assert.Equal("fresh", Assert.Single(await host.ReadEventsAsync(service, 1)).Text("message"));
    }

    [Fact]
    public async Task Promtail_style_push_with_basic_auth_stores_every_entry()
    {
        // Promtail, Alloy and the Loki client libraries authenticate with HTTP Basic: tenant as user, key as password.
        const int entries = 50;
        var service = TopicEvent.NewService("loki-basic");
        var now = DateTime.UtcNow;
        var push = new PushRequest();
        var stream = new StreamAdapter { Labels = $$"""{service_name="{{service}}", job="promtail"}""" };
        for (var i = 0; i < entries; i++)
        {
            var time = now.AddMilliseconds(i);
            stream.Entries.Add(new EntryAdapter
            {
                Timestamp = new Timestamp { Seconds = (long)(time - DateTime.UnixEpoch).TotalSeconds, Nanos = time.Millisecond * 1_000_000 },
                Line = $"request {i} served",
            });
        }

        push.Streams.Add(stream);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"tenant-1:{IngestHost.WriterKey}")));
        client.DefaultRequestHeaders.Add("X-Scope-OrgID", "tenant-1");
        var content = new ByteArrayContent(Snappier.Snappy.CompressToArray(push.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await client.PostAsync("/loki/api/v1/push", content, TestContext.Current.CancellationToken);
        using var wrong = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/loki/api/v1/push")
        {
            Content = new ByteArrayContent([]),
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("tenant-1:wrong"u8.ToArray())) },
        }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var events = await host.ReadEventsAsync(service, entries);
        Assert.Equal(entries, events.Count);
        Assert.Equal(Enumerable.Range(0, entries).Select(i => $"request {i} served").Order(), events.Select(e => e.Text("message")).Order());
    }

    [Fact]
    public async Task A_body_that_is_not_snappy_gets_400()
    {
        using var response = await PostSnappyAsync([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private Task<HttpResponseMessage> PostSnappyAsync(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return host.Client.PostAsync("/loki/api/v1/push", content, TestContext.Current.CancellationToken);
    }
}
