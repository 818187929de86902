using System.Net;
using System.Text;
using System.Text.Json;
using LogMonitoring.Ingest.Formats.Otlp;

namespace LogMonitoring.Tests.Shippers;

/// <summary>
/// When Kafka does not acknowledge, every format answers with its clients' retry signal: 503 and
/// Retry-After, which Serilog, the OpenTelemetry exporters, Promtail, Fluent Bit and Vector retry.
/// </summary>
public sealed class KafkaUnavailableTests(IngestWithoutKafka host) : IClassFixture<IngestWithoutKafka>
{
    public static TheoryData<string, string, string> Requests => new()
    {
        { "/ingest/clef", "application/vnd.serilog.clef", """{"@mt":"hello","service":"down"}""" },
        { "/v1/logs", "application/json", """{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"down"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hello"}}]}]}]}""" },
        { "/loki/api/v1/push", "application/json", $$"""{"streams":[{"stream":{"app":"down"},"values":[["{{(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100}}","hello"]]}]}""" },
        { "/_bulk", "application/x-ndjson", "{\"index\":{}}\n{\"message\":\"hello\",\"service\":\"down\"}\n" },
        { "/gelf", "application/json", """{"version":"1.1","host":"h","short_message":"hello","_service":"down"}""" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Every_format_answers_503_with_retry_after(string path, string mediaType, string body)
    {
        using var response = await host.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, mediaType), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Kafka", text);
        if (path == "/v1/logs")
        {
            using var status = JsonDocument.Parse(text);
            Assert.Equal(14, status.RootElement.GetProperty("code").GetInt32());
        }
    }

    [Fact]
    public async Task Otlp_protobuf_clients_get_an_unavailable_status()
    {
        var request = new ExportLogsServiceRequest();
        var resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "down" } } } };
        request.ResourceLogs.Add(new ResourceLogs { Resource = resource, ScopeLogs = { new ScopeLogs { LogRecords = { new LogRecord { Body = new AnyValue { StringValue = "hello" } } } } } });
        var content = new ByteArrayContent(Google.Protobuf.MessageExtensions.ToByteArray(request));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");

        using var response = await host.Client.PostAsync("/v1/logs", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(14, Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Code);
    }
}
