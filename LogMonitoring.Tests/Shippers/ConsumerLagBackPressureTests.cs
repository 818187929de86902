using System.Net;
using System.Text;
using Confluent.Kafka;
using LogMonitoring.Ingest.Kafka;

namespace LogMonitoring.Tests.Shippers;

/// <summary>
/// When the persister group's unread backlog approaches what the broker retains, ingest answers 429 with
/// Retry-After instead of accepting logs that retention would delete unread, and accepts again once the
/// group has caught up.
/// </summary>
public sealed class ConsumerLagBackPressureTests(IngestWithLaggingGroup host) : IClassFixture<IngestWithLaggingGroup>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ingest_refuses_while_the_group_lags_near_retention_and_accepts_once_it_caught_up()
    {
        var service = TopicEvent.NewService("lag");
        using (var first = await host.Client.PostAsync("/api/logs", Batch(service), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        // The group has read nothing: it committed the start of every partition.
        Commit(_ => 0);

        // The mock broker keeps about 5 MiB per partition; each request is about 100 KiB.
        HttpResponseMessage? refused = null;
        var accepted = 0;
        while (refused is null)
        {
            Assert.True(accepted < 2_000, $"still accepted after {accepted} requests of about 100 KiB");
            var response = await host.Client.PostAsync("/api/logs", Batch(service), Ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                accepted++;
                response.Dispose();
            }
        }

        Assert.Equal(TimeSpan.FromSeconds(4), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("MaxLagShareOfRetained", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        refused.Dispose();

        // The persisters catch up: ingest accepts again at its next look.
        Commit(watermarks => watermarks.High.Value);
        var status = HttpStatusCode.TooManyRequests;
        for (var attempt = 0; attempt < 600 && status == HttpStatusCode.TooManyRequests; attempt++)
        {
            using var response = await host.Client.PostAsync("/api/logs", Batch(service), Ct);
            status = response.StatusCode;
            if (status == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.Equal(HttpStatusCode.Accepted, status);
        TestContext.Current.TestOutputHelper?.WriteLine($"{accepted} requests of 100 events accepted before the first 429; accepted again after the group caught up");
    }

    [Fact]
    public void Headroom_refuses_only_once_retention_deletes_and_the_unread_share_reaches_the_limit()
    {
        var headroom = new RetentionHeadroom(0.8);

        headroom.Update([new PartitionBacklog(0, Low: 0, High: 1_000, Committed: 0)]);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 100, High: 1_100, Committed: 400), new PartitionBacklog(1, Low: 100, High: 1_100, Committed: -1001)]);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 100, High: 1_100, Committed: 1_000), new PartitionBacklog(3, Low: 100, High: 1_100, Committed: 300)]);
        Assert.Contains("partition 3", headroom.Refusal);

        headroom.Update([new PartitionBacklog(3, Low: 100, High: 1_100, Committed: 1_100)]);
        Assert.Null(headroom.Refusal);
    }

    private void Commit(Func<WatermarkOffsets, long> offset)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = host.Kafka.BootstrapServers }).Build();
        using var group = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = host.Kafka.BootstrapServers,
            GroupId = host.GroupId,
            EnableAutoCommit = false,
        }).Build();
        var partitions = admin.GetMetadata(host.Topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(host.Topic, p.PartitionId)).ToList();
        group.Commit(partitions.Select(p => new TopicPartitionOffset(p, offset(group.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10))))));
    }

    // Random text: the producer compresses, and the broker's retention counts what it stores.
    private static StringContent Batch(string service) => new(
        "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"level":"INFO","service":"{{service}}","message":"event {{i}} {{Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(675))}}"}""")) + "]",
        Encoding.UTF8, "application/json");
}

/// <summary>Ingest watching a consumer group of the test's own, every second.</summary>
public sealed class IngestWithLaggingGroup : IngestHost
{
    public string GroupId { get; } = $"lag-tests-{Guid.NewGuid():N}";

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Ingest:PersisterGroupId", GroupId),
        new("Ingest:LagCheckInterval", "00:00:01"),
        new("Ingest:RetryAfterSeconds", "4"),
    ];
}
