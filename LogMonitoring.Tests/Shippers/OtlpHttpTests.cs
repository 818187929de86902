using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using LogMonitoring.Ingest.Formats.Otlp;

namespace LogMonitoring.Tests.Shippers;

/// <summary>OTLP/HTTP requests built from the specification: JSON and protobuf, gzip, partial success, errors.</summary>
public sealed class OtlpHttpTests(IngestHost host) : IClassFixture<IngestHost>
{
    private static string Nanos(DateTime time) => ((ulong)(time - DateTime.UnixEpoch).Ticks * 100).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Otlp_json_maps_resource_severity_body_attributes_and_trace_context()
    {
        var service = TopicEvent.NewService("otlp-json");
        var time = DateTime.UtcNow.AddSeconds(-5);
        var body = """
            {"resourceLogs":[{"resource":{"attributes":[
                {"key":"service.name","value":{"stringValue":"SERVICE"}},
                {"key":"host.name","value":{"stringValue":"node-1"}},
                {"key":"k8s.namespace.name","value":{"stringValue":"shop"}}]},
              "scopeLogs":[{"scope":{"name":"my.library","version":"1.0.0"},
                "logRecords":[{
                  "timeUnixNano":"TIME","observedTimeUnixNano":"TIME",
                  "severityNumber":10,"severityText":"Information",
                  "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
                  "body":{"stringValue":"Example log record"},
                  "attributes":[
                    {"key":"string.attribute","value":{"stringValue":"some string"}},
                    {"key":"boolean.attribute","value":{"boolValue":true}},
                    {"key":"int.attribute","value":{"intValue":"10"}},
                    {"key":"double.attribute","value":{"doubleValue":637.704}},
                    {"key":"array.attribute","value":{"arrayValue":{"values":[{"stringValue":"many"},{"stringValue":"values"}]}}},
                    {"key":"map.attribute","value":{"kvlistValue":{"values":[{"key":"some.map.key","value":{"stringValue":"some value"}}]}}}]},
                  {"timeUnixNano":"TIME","severityText":"WARNING","body":{"kvlistValue":{"values":[{"key":"event","value":{"stringValue":"disk"}}]}}}
                ]}]}]}
            """.Replace("SERVICE", service).Replace("TIME", Nanos(time));

        using var response = await host.Client.PostAsync("/v1/logs", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(answer.RootElement.TryGetProperty("partialSuccess", out _));

        var events = await host.ReadEventsAsync(service, 2);
        var record = events.Single(e => e.Text("level") == "INFO");
        Assert.Equal("Example log record", record.Text("message"));
        Assert.Equal("node-1", record.Text("host"));
        Assert.Equal("5b8efff798038103d269b633813fc60c", record.Text("trace_id"));
        Assert.Equal("eee19b7ec3c1b174", record.Text("span_id"));
        Assert.Equal(time, record.GetProperty("timestamp").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        var metadata = record.Metadata();
        Assert.Equal("some string", metadata.GetProperty("string.attribute").GetString());
        Assert.True(metadata.GetProperty("boolean.attribute").GetBoolean());
        Assert.Equal(10, metadata.GetProperty("int.attribute").GetInt64());
        Assert.Equal(637.704, metadata.GetProperty("double.attribute").GetDouble());
        Assert.Equal(["many", "values"], metadata.GetProperty("array.attribute").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("some value", metadata.GetProperty("map.attribute").GetProperty("some.map.key").GetString());
        Assert.Equal("my.library", metadata.GetProperty("scope").GetString());
        Assert.Equal("shop", metadata.GetProperty("resource").GetProperty("k8s.namespace.name").GetString());

        // A structured body becomes the message as JSON; the severity text decides when there is no number.
        Assert.Equal("""{"event":"disk"}""", events.Single(e => e.Text("level") == "WARN").Text("message"));
    }

    [Fact]
    public async Task Refused_records_are_reported_as_partial_success_in_protobuf()
    {
        var service = TopicEvent.NewService("otlp-proto");
        var request = new ExportLogsServiceRequest();
        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } });
        var scope = new ScopeLogs();
        scope.LogRecords.Add(new LogRecord { TimeUnixNano = ulong.Parse(Nanos(DateTime.UtcNow)), SeverityNumber = 17, Body = new AnyValue { StringValue = "kept" } });
        scope.LogRecords.Add(new LogRecord { TimeUnixNano = ulong.Parse(Nanos(DateTime.UtcNow.AddDays(-40))), SeverityNumber = 9, Body = new AnyValue { StringValue = "too old" } });
        scope.LogRecords.Add(new LogRecord { SeverityNumber = 9 });
        request.ResourceLogs.Add(new ResourceLogs { Resource = resource, ScopeLogs = { scope } });

        using var response = await PostProtobufAsync(request.ToByteArray(), gzip: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, answer.PartialSuccess.RejectedLogRecords);
        Assert.Contains("timestamp: is more than 30 days in the past", answer.PartialSuccess.ErrorMessage);
        Assert.Contains("message: is required", answer.PartialSuccess.ErrorMessage);

        var kept = Assert.Single(await host.ReadEventsAsync(service, 1));
        Assert.Equal("kept", kept.Text("message"));
        Assert.Equal("ERROR", kept.Text("level"));
    }

    [Fact]
    public async Task A_body_that_is_not_otlp_gets_400_with_a_status_message()
    {
        using var response = await PostProtobufAsync([0x0a, 0xff, 0xff, 0xff], gzip: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, status.Code);
        Assert.Contains("ExportLogsServiceRequest", status.Message);
    }

    [Fact]
    public async Task Malformed_json_gets_400_with_a_json_status()
    {
        using var response = await host.Client.PostAsync("/v1/logs",
            new StringContent("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
        Assert.Contains("traceId", status.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Other_media_types_get_415()
    {
        using var response = await host.Client.PostAsync("/v1/logs", new StringContent("hello", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostProtobufAsync(byte[] body, bool gzip)
    {
        if (gzip)
        {
            using var compressed = new MemoryStream();
            await using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await zip.WriteAsync(body, TestContext.Current.CancellationToken);
            }

            body = compressed.ToArray();
        }

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return await host.Client.PostAsync("/v1/logs", content, TestContext.Current.CancellationToken);
    }
}
