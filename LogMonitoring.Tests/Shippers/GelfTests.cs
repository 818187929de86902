using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.Tests.Shippers;

/// <summary>GELF 1.1 messages from the specification's example, over HTTP.</summary>
public sealed class GelfTests(IngestHost host) : IClassFixture<IngestHost>
{
    [Fact]
    public async Task The_specification_example_is_accepted_with_its_additional_fields()
    {
        var service = TopicEvent.NewService("gelf");
        var seconds = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
        var message = $$"""
            {"version":"1.1","host":"example.org","short_message":"A short message that helps you identify what is going on",
             "full_message":"Backtrace here\n\nmore stuff","timestamp":{{seconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}},
             "level":1,"_user_id":9001,"_some_info":"foo","_some_env_var":"bar","_service":"{{service}}"}
            """;

        using var response = await PostAsync(message, gzip: true);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        var stored = Assert.Single(await host.ReadEventsAsync(service, 1));
        Assert.Equal("FATAL", stored.Text("level"));
        Assert.Equal("example.org", stored.Text("host"));
        Assert.Equal("A short message that helps you identify what is going on", stored.Text("message"));
        Assert.Equal(9001, stored.Metadata().GetProperty("user_id").GetInt32());
        Assert.Equal("Backtrace here\n\nmore stuff", stored.Metadata().GetProperty("full_message").GetString());
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(Math.Round(seconds, 3)), stored.GetProperty("timestamp").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(2));
    }

    [Fact]
    public async Task Syslog_levels_map_to_ours()
    {
        var service = TopicEvent.NewService("gelf-levels");
        var lines = Enumerable.Range(0, 8).Select(level =>
            $$"""{"version":"1.1","host":"h","short_message":"level {{level}}","level":{{level}}}""");

        using var response = await host.Client.PostAsync($"/gelf?service={service}", new StringContent(string.Join("\n", lines), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var events = await host.ReadEventsAsync(service, 8);
        var levels = events.OrderBy(e => e.Text("message")).Select(e => e.Text("level"));
        Assert.Equal(["FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG"], levels);
    }

    [Fact]
    public async Task A_message_without_short_message_is_refused()
    {
        using var response = await PostAsync("""{"version":"1.1","host":"example.org","_service":"gelf-bad"}""", gzip: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("message: is required", problem.RootElement.GetProperty("detail").GetString());
    }

    private async Task<HttpResponseMessage> PostAsync(string message, bool gzip)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(bytes, TestContext.Current.CancellationToken);
            }

            bytes = compressed.ToArray();
        }

        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await host.Client.PostAsync("/gelf", content, TestContext.Current.CancellationToken);
    }
}
