using System.Diagnostics;
using System.Net;
using LogMonitoring.ReliabilityTests.Infrastructure;

namespace LogMonitoring.ReliabilityTests;

/// <summary>Kafka goes away and comes back; ingest must refuse honestly meanwhile and recover by itself.</summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class KafkaOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task While_Kafka_is_down_ingest_answers_503_with_Retry_After_and_recovers_without_a_restart()
    {
        // Injected: the broker closes every connection and refuses new ones (librdkafka's mock
        // broker "down"), for as long as the test needs, then accepts them again on the same port.
        const int partitions = 4;
        var deliveryTimeout = TimeSpan.FromSeconds(3);
        await using var system = new ProcessSystem(partitions);
        var ingest = system.AddIngest(new Dictionary<string, string>
        {
            ["Ingest__DeliveryTimeout"] = deliveryTimeout.ToString(),
            ["Ingest__RetryAfterSeconds"] = "2",
        });
        var persister = system.AddPersister();
        await Task.WhenAll(ingest.StartHealthyAsync(Startup, Ct), persister.StartHealthyAsync(Startup, Ct));
        var load = new IngestLoad("rel-kafka-down", [ingest]);
        await load.RunAsync(senders: 2, maxEvents: 1_000, Ct);
        Assert.Equal(1_000, load.Acknowledged.Count);

        system.Kafka.TakeDown();
        var outage = Stopwatch.StartNew();
        // Each request during the outage must end, and end in 503 with Retry-After, within a bound:
        // the delivery timeout plus room for a busy machine.
        var bound = deliveryTimeout + TimeSpan.FromSeconds(10);
        var answers = new List<(int Status, TimeSpan Took, string? RetryAfter)>();
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await ingest.Client.PostAsync("/api/logs", SingleEvent($"during outage {i}"), Ct);
            answers.Add(((int)response.StatusCode, clock.Elapsed, response.Headers.RetryAfter?.ToString()));
            var problem = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {problem}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Kafka", problem, StringComparison.Ordinal);
        }

        // Load keeps coming during the outage; any 202 it gets must be in Kafka, which the final count checks.
        using (var during = new CancellationTokenSource(TimeSpan.FromSeconds(4)))
        {
            await load.RunAsync(senders: 2, maxEvents: 100_000, during.Token);
        }

        var ingestHealth = await ingest.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20), Ct);
        var persisterHealth = await persister.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20), Ct);
        var acknowledgedDuringOutage = load.Acknowledged.Count - 1_000;
        var outageLength = outage.Elapsed;

        system.Kafka.BringUp();
        var recovery = Stopwatch.StartNew();
        int status;
        do
        {
            using var response = await ingest.Client.PostAsync("/api/logs", SingleEvent("after the outage"), Ct);
            status = (int)response.StatusCode;
            if (status != 202)
            {
                await Task.Delay(500, Ct);
            }
        }
        while (status != 202 && recovery.Elapsed < TimeSpan.FromSeconds(90));

        var recoveredAfter = recovery.Elapsed;
        Assert.Equal(202, status);
        await load.RunAsync(senders: 2, maxEvents: load.Sent + 1_000, Ct);
        Assert.Equal(HttpStatusCode.OK, await ingest.WaitForHealthAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(HttpStatusCode.OK, await persister.WaitForHealthAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(1, ingest.Starts);
        Assert.Equal(1, persister.Starts);

        using var probe = system.Probe();
        await probe.WaitCaughtUpAsync(partitions, TimeSpan.FromSeconds(90), Ct);
        var stored = await system.StoredAsync(load.Service, Ct);
        var (lost, duplicated) = Delivery.AssertExactlyOnce(load, stored);

        Assert.All(answers, a => Assert.True(a.Took < bound, $"a request took {a.Took} during the outage, over {bound}"));
        Assert.All(answers, a => Assert.Equal("2", a.RetryAfter));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ingestHealth);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, persisterHealth);
        FaultReport.Print("Kafka broker down, then back", 1, load.Describe(), lost, duplicated,
            $"outage {outageLength.TotalSeconds:F0} s; 503 + Retry-After in {string.Join("/", answers.Select(a => $"{a.Took.TotalSeconds:F1} s"))}; " +
            $"{acknowledgedDuringOutage} acknowledged during the outage; ingest and persister readiness 503; recovered {recoveredAfter.TotalSeconds:F1} s after, no restart");
    }

    private static StringContent SingleEvent(string message) => new(
        $$"""{"level":"INFO","service":"rel-kafka-probe","message":"{{message}}"}""", System.Text.Encoding.UTF8, "application/json");
}
