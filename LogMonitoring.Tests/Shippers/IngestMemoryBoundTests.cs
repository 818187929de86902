using System.Net;
using System.Text;
using LogMonitoring.Ingest.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace LogMonitoring.Tests.Shippers;

/// <summary>
/// While Kafka is down, what waits for it stays within <c>Ingest:MaxInFlightBytes</c>: senders that keep
/// sending get 429 with Retry-After once the bound is reached, and every request answered 202 is in Kafka
/// after it comes back.
/// </summary>
public sealed class IngestMemoryBoundTests(IngestWithSmallMemoryBound host) : IClassFixture<IngestWithSmallMemoryBound>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_down_Kafka_fills_the_byte_bound_then_senders_get_429_and_nothing_acknowledged_is_lost()
    {
        var service = TopicEvent.NewService("membound");
        var producer = host.Services.GetRequiredService<LogEventProducer>();
        // The topic exists before the outage, as it does in production.
        using (var first = await host.Client.PostAsync("/api/logs", Batch(service, 0, 1), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        host.Kafka.TakeDown();
        var waiting = new List<(Task<HttpResponseMessage> Response, int First)>();
        var refused = new List<HttpResponseMessage>();
        var largestSeen = 0L;
        var next = 1;
        // Senders keep sending; each request either waits for Kafka (held within the bound) or is refused.
        // Each is about 100 KiB, so the 1 MiB bound is reached after about ten; the loop stops at three 429s.
        while (refused.Count < 3)
        {
            Assert.True(next < 1_000 * EventsPerRequest, $"no 429 after {waiting.Count} waiting requests; {producer.InFlightBytes} bytes in flight");
            var request = host.Client.PostAsync("/api/logs", Batch(service, next, EventsPerRequest), Ct);
            var first = next;
            next += EventsPerRequest;
            // Until this request is either answered or counted as waiting, the next one is not sent.
            while (!request.IsCompleted && producer.InFlight < EventsPerRequest * (waiting.Count(w => !w.Response.IsCompleted) + 1))
            {
                await Task.Delay(10, Ct);
            }

            largestSeen = Math.Max(largestSeen, producer.InFlightBytes);
            if (request.IsCompleted && (await request).StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused.Add(await request);
            }
            else
            {
                waiting.Add((request, first));
            }
        }

        var heldAtRefusal = producer.InFlightBytes;
        host.Kafka.BringUp();
        var answers = await Task.WhenAll(waiting.Select(w => w.Response));
        var page = await host.Client.GetStringAsync("/metrics", Ct);

        // Held: at most the bound, and the one request that crossed nothing else.
        Assert.InRange(largestSeen, 1, IngestWithSmallMemoryBound.MaxInFlightBytes);
        Assert.InRange(heldAtRefusal, IngestWithSmallMemoryBound.MaxInFlightBytes - (2 * BytesPerRequestAtMost), IngestWithSmallMemoryBound.MaxInFlightBytes);
        Assert.True(waiting.Count >= 2, $"only {waiting.Count} request(s) waited for Kafka before the first 429");
        foreach (var response in refused)
        {
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
            var problem = await response.Content.ReadAsStringAsync(Ct);
            Assert.Contains("MaxInFlightBytes", problem, StringComparison.Ordinal);
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        var acknowledged = waiting.SelectMany(w => Enumerable.Range(w.First, EventsPerRequest)).Append(0).Select(Message).ToHashSet();
        var stored = await host.ReadEventsAsync(service, acknowledged.Count);
        Assert.Empty(acknowledged.Except(stored.Select(e => e.Text("message"))));
        Assert.True(Sample(page, "logmon_ingest_events_rejected_total", "reason=\"overloaded\"", "format=\"native\"") >= refused.Count * EventsPerRequest);
        Assert.Contains("logmon_ingest_producer_queue_bytes", page, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"bound {IngestWithSmallMemoryBound.MaxInFlightBytes} B; {waiting.Count} requests waited, {heldAtRefusal} B held at the first 429 (largest seen {largestSeen} B); {refused.Count} answered 429; {acknowledged.Count} acknowledged, all in Kafka after it came back");
    }

    private const int EventsPerRequest = 100;

    // 100 events of a 900-character message, their keys and envelopes: well under 128 KiB.
    private const long BytesPerRequestAtMost = 128 * 1024;

    private static readonly string s_padding = new('x', 900);

    private static string Message(int index) => $"event {index} {s_padding}";

    private static StringContent Batch(string service, int first, int count) => new(
        "[" + string.Join(",", Enumerable.Range(first, count).Select(i => $$"""{"level":"INFO","service":"{{service}}","message":"{{Message(i)}}"}""")) + "]",
        Encoding.UTF8, "application/json");

    private static double Sample(string page, string metric, params string[] labels) =>
        page.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
}

/// <summary>Ingest with a 1 MiB bound on what waits for Kafka, and a delivery timeout longer than any outage the test makes.</summary>
public sealed class IngestWithSmallMemoryBound : IngestHost
{
    public const long MaxInFlightBytes = 1024 * 1024;

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Ingest:MaxInFlightBytes", MaxInFlightBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Ingest:DeliveryTimeout", "00:05:00"),
        new("Ingest:RetryAfterSeconds", "3"),
    ];
}
