using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace LogMonitoring.Tests.Shippers;

/// <summary>
/// Ingest with its default rate limits takes ordinary traffic without a single 429: many concurrent
/// senders of one event per request (how simple services and the first version of this system sent
/// logs), and large batches. Counted, not timed: the senders go as fast as the machine lets them.
/// </summary>
public sealed class DefaultRateLimitTests(IngestHost host) : IClassFixture<IngestHost>
{
    [Fact]
    public async Task Eight_concurrent_senders_of_single_events_never_see_a_429()
    {
        const int senders = 8;
        const int perSender = 250;
        var service = TopicEvent.NewService("one-per-request");
        var statuses = new ConcurrentBag<HttpStatusCode>();

        await Parallel.ForAsync(0, senders, TestContext.Current.CancellationToken, async (sender, cancellationToken) =>
        {
            for (var i = 0; i < perSender; i++)
            {
                var body = $$"""{"timestamp":"{{DateTime.UtcNow:O}}","level":"INFO","service":"{{service}}","message":"sender {{sender}} event {{i}}"}""";
                using var response = await host.Client.PostAsync("/api/logs", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
                statuses.Add(response.StatusCode);
            }
        });

        Assert.Equal(0, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(senders * perSender, (await host.ReadEventsAsync(service, senders * perSender)).Count);
    }

    [Fact]
    public async Task Batches_of_a_thousand_events_from_four_senders_never_see_a_429()
    {
        const int senders = 4;
        const int batches = 5;
        const int perBatch = 1000;
        var service = TopicEvent.NewService("batched");
        var statuses = new ConcurrentBag<HttpStatusCode>();

        await Parallel.ForAsync(0, senders, TestContext.Current.CancellationToken, async (sender, cancellationToken) =>
        {
            for (var batch = 0; batch < batches; batch++)
            {
                var body = new StringBuilder();
                for (var i = 0; i < perBatch; i++)
                {
                    body.Append($$$"""{"level":"INFO","service":"{{{service}}}","message":"sender {{{sender}}} batch {{{batch}}} event {{{i}}}","metadata":{"path":"/api/orders/{{{i}}}","status":200}}""").Append('\n');
                }

                using var response = await host.Client.PostAsync("/api/logs", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"), cancellationToken);
                statuses.Add(response.StatusCode);
            }
        });

        Assert.Equal(0, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(senders * batches * perBatch, (await host.ReadEventsAsync(service, senders * batches * perBatch)).Count);
    }
}
