// Measures ingest throughput per shipper format next to the native POST /api/logs, in events per second
// acknowledged by Kafka. Run from the repository root:
//   dotnet run LogMonitoring.Tests/Shippers/Throughput/shipper-throughput.cs -- [requests per format] [events per request] [concurrency]
// Ingest runs in this process on Kestrel (127.0.0.1, a free port) against librdkafka's mock cluster,
// so client, server and "broker" share the machine: the figures compare formats, they are not capacity.
#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:property IsTestProject=false
#:package Microsoft.AspNetCore.Mvc.Testing
#:project ../../../LogMonitoring.Ingest/LogMonitoring.Ingest.csproj

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using LogMonitoring.Ingest;
using LogMonitoring.Ingest.Formats.Loki;
using LogMonitoring.Ingest.Formats.Otlp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;

var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var perRequest = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;

// librdkafka's mock cluster lives as long as this client does.
var clusterConfig = new ProducerConfig();
clusterConfig.Set("test.mock.num.brokers", "1");
using var cluster = new ProducerBuilder<Null, Null>(clusterConfig).Build();
using (var admin = new DependentAdminClientBuilder(cluster.Handle).Build())
{
    var broker = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers[0];
    Environment.SetEnvironmentVariable("ConnectionStrings__kafka", $"{broker.Host}:{broker.Port}");
}

Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
// Development without keys: the APIs are open; lift the anonymous rate limit so it is not what is measured.
Environment.SetEnvironmentVariable("ApiKeys__AnonymousRequestsPerSecond", "1000000");
// WebApplicationFactory looks for the service's content root next to a solution; tell it where it is.
var scriptFolder = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? Environment.CurrentDirectory;
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_LOGMONITORING_INGEST", Path.GetFullPath(Path.Combine(scriptFolder, "../../../LogMonitoring.Ingest")));
await using var factory = new WebApplicationFactory<IngestOptions>();
factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
factory.StartServer();
var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
using var client = new HttpClient { BaseAddress = new Uri(address) };

var formats = new (string Name, string Path, Func<DateTime, HttpContent> Body, int EventsPerRequest)[]
{
    ("native JSON array", "/api/logs", t => Text(NativeArray(t), "application/json"), perRequest),
    ("native NDJSON", "/api/logs", t => Text(NativeNdjson(t), "application/x-ndjson"), perRequest),
    ("CLEF (Serilog)", "/ingest/clef", t => Text(Clef(t), "application/vnd.serilog.clef"), perRequest),
    ("OTLP protobuf", "/v1/logs", t => Bytes(Otlp(t).ToByteArray(), "application/x-protobuf"), perRequest),
    ("OTLP JSON", "/v1/logs", t => Text(JsonFormatter.Default.Format(Otlp(t)), "application/json"), perRequest),
    ("Loki protobuf+snappy", "/loki/api/v1/push", t => Bytes(Snappier.Snappy.CompressToArray(Loki(t).ToByteArray()), "application/x-protobuf"), perRequest),
    ("Loki JSON", "/loki/api/v1/push", t => Text(LokiJson(t), "application/json"), perRequest),
    ("Elasticsearch bulk", "/_bulk", t => Text(Bulk(t), "application/x-ndjson"), perRequest),
    ("GELF, one per request", "/gelf", t => Text(Gelf(t, 1), "application/json"), 1),
    ("GELF, newline-batched", "/gelf", t => Text(Gelf(t, perRequest), "application/json"), perRequest),
};

// The machine is shared, so formats take turns: several rounds over all of them, and each format's
// median round is reported. A load spike then costs one round of every format rather than one format.
const int rounds = 5;
Console.WriteLine($"{requests} requests per format in {rounds} rounds, {perRequest} events per request, {concurrency} concurrent clients");
foreach (var format in formats)
{
    await RunAsync(format.Path, format.Body, format.EventsPerRequest == 1 ? 200 : Math.Max(1, requests / 10));
}

var rates = formats.ToDictionary(f => f.Name, _ => new List<(double EventsPerSecond, double BytesPerSecond)>());
for (var round = 0; round < rounds; round++)
{
    foreach (var format in formats)
    {
        // GELF sends one message per request; it gets a tenth of the events, in as many requests.
        var count = format.EventsPerRequest == 1 ? Math.Max(1, requests * perRequest / 10 / rounds) : Math.Max(1, requests / rounds);
        var (seconds, bytes) = await RunAsync(format.Path, format.Body, count);
        rates[format.Name].Add(((double)count * format.EventsPerRequest / seconds, bytes / seconds));
    }
}

Console.WriteLine($"{"format",-24} {"events/s (median)",18} {"min",9} {"max",9} {"MB/s in",8}");
foreach (var format in formats)
{
    var sorted = rates[format.Name].OrderBy(r => r.EventsPerSecond).ToList();
    var median = sorted[sorted.Count / 2];
    Console.WriteLine($"{format.Name,-24} {median.EventsPerSecond,18:N0} {sorted[0].EventsPerSecond,9:N0} {sorted[^1].EventsPerSecond,9:N0} {median.BytesPerSecond / 1e6,8:0.0}");
}

async Task<(double Seconds, long Bytes)> RunAsync(string path, Func<DateTime, HttpContent> body, int count)
{
    // Bodies are built before the clock starts, so the figure is ingest's work, not the generator's.
    var prepared = new byte[Math.Min(count, 50)][];
    var contentTypes = new MediaTypeHeaderValue[prepared.Length];
    for (var i = 0; i < prepared.Length; i++)
    {
        using var content = body(DateTime.UtcNow);
        prepared[i] = await content.ReadAsByteArrayAsync();
        contentTypes[i] = content.Headers.ContentType!;
    }

    var next = -1;
    long bytes = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var content = new ByteArrayContent(prepared[i % prepared.Length]);
            content.Headers.ContentType = contentTypes[i % prepared.Length];
            using var response = await client.PostAsync(path, content);
            if ((int)response.StatusCode >= 300)
            {
                throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            Interlocked.Add(ref bytes, prepared[i % prepared.Length].Length);
        }
    }));
    return (clock.Elapsed.TotalSeconds, bytes);
}

static HttpContent Text(string text, string mediaType) => new StringContent(text, Encoding.UTF8, mediaType);

static HttpContent Bytes(byte[] bytes, string mediaType)
{
    var content = new ByteArrayContent(bytes);
    content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    return content;
}

string Iso(DateTime t) => t.ToString("O", CultureInfo.InvariantCulture);

string Nanos(DateTime t) => ((ulong)(t - DateTime.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture);

string NativeEvent(DateTime t, int i) =>
    $$$"""{"timestamp":"{{{Iso(t)}}}","level":"INFO","service":"bench-native","host":"web-{{{i % 8}}}","message":"User {{{i}}} signed in","metadata":{"user_id":"{{{i}}}","ip":"10.0.0.{{{i % 250}}}"}}""";

string NativeArray(DateTime t) => "[" + string.Join(",", Enumerable.Range(0, perRequest).Select(i => NativeEvent(t, i))) + "]";

string NativeNdjson(DateTime t) => string.Join("\n", Enumerable.Range(0, perRequest).Select(i => NativeEvent(t, i)));

string Clef(DateTime t) => string.Join("\n", Enumerable.Range(0, perRequest).Select(i =>
    $$"""{"@t":"{{Iso(t)}}","@mt":"User {UserId} signed in","UserId":{{i}},"Ip":"10.0.0.{{i % 250}}","Application":"bench-clef","MachineName":"web-{{i % 8}}"}"""));

ExportLogsServiceRequest Otlp(DateTime t)
{
    var resource = new Resource();
    resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "bench-otlp" } });
    resource.Attributes.Add(new KeyValue { Key = "host.name", Value = new AnyValue { StringValue = "web-1" } });
    var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Bench" } };
    var nanos = ulong.Parse(Nanos(t), CultureInfo.InvariantCulture);
    for (var i = 0; i < perRequest; i++)
    {
        scope.LogRecords.Add(new LogRecord
        {
            TimeUnixNano = nanos,
            SeverityNumber = 9,
            Body = new AnyValue { StringValue = "User {UserId} signed in" },
            Attributes =
            {
                new KeyValue { Key = "UserId", Value = new AnyValue { IntValue = i } },
                new KeyValue { Key = "ip", Value = new AnyValue { StringValue = $"10.0.0.{i % 250}" } },
            },
        });
    }

    return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = resource, ScopeLogs = { scope } } } };
}

PushRequest Loki(DateTime t)
{
    var stream = new StreamAdapter { Labels = """{service_name="bench-loki", host="web-1", level="info"}""" };
    var time = new LogMonitoring.Ingest.Formats.Loki.Timestamp { Seconds = (long)(t - DateTime.UnixEpoch).TotalSeconds };
    for (var i = 0; i < perRequest; i++)
    {
        stream.Entries.Add(new EntryAdapter { Timestamp = time, Line = $"user_id={i} ip=10.0.0.{i % 250} msg=\"User {i} signed in\"" });
    }

    return new PushRequest { Streams = { stream } };
}

string LokiJson(DateTime t) =>
    $$"""{"streams":[{"stream":{"service_name":"bench-loki","host":"web-1","level":"info"},"values":[""" +
    string.Join(",", Enumerable.Range(0, perRequest).Select(i => $$"""["{{Nanos(t)}}","user_id={{i}} ip=10.0.0.{{i % 250}} msg=\"User {{i}} signed in\""]""")) +
    "]}]}";

string Bulk(DateTime t) => string.Join("", Enumerable.Range(0, perRequest).Select(i =>
    "{\"create\":{\"_index\":\"fluent-bit\"}}\n" +
    $$"""{"@timestamp":"{{Iso(t)}}","log":"User {{i}} signed in","level":"info","service":"bench-bulk","host":"web-{{i % 8}}","user_id":"{{i}}"}""" + "\n"));

string Gelf(DateTime t, int count)
{
    var seconds = ((t - DateTime.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond).ToString("F3", CultureInfo.InvariantCulture);
    return string.Join("\n", Enumerable.Range(0, count).Select(i =>
        $$"""{"version":"1.1","host":"web-{{i % 8}}","short_message":"User {{i}} signed in","timestamp":{{seconds}},"level":6,"_service":"bench-gelf","_user_id":"{{i}}"}"""));
}
