using System.Globalization;
using System.Net;
using System.Text;
using Confluent.Kafka;
using LogMonitoring.Ingest.Kafka;
using LogMonitoring.Kafka.Mock;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task Ingest_refuses_before_retention_deletes_anything_and_accepts_once_the_group_caught_up()
    {
        var service = TopicEvent.NewService("lag");
        using (var first = await host.Client.PostAsync("/api/logs", Batch(service), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        // The group has read nothing: it committed the start of every partition. Wait until ingest has seen that.
        Commit(_ => 0);
        var headroom = host.Services.GetRequiredService<RetentionHeadroom>();
        for (var attempt = 0; attempt < 600 && (headroom.Partitions.Count == 0 || headroom.Partitions.Any(p => p.Committed < 0)); attempt++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.NotEmpty(headroom.Partitions);
        Assert.All(headroom.Partitions, p => Assert.Equal(0, p.Committed));

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

        // While the gate is closed a body is not even read: one that is not JSON gets the 429 too, not a 400.
        using (var unread = await host.Client.PostAsync("/api/logs", new StringContent("not json", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, unread.StatusCode);
        }

        // Refused before the broker deleted anything: every partition still holds all it was given.
        var lows = Watermarks().Select(w => w.Low.Value).ToList();
        Assert.All(lows, low => Assert.Equal(0, low));

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
        TestContext.Current.TestOutputHelper?.WriteLine($"{accepted} requests of 100 events accepted before the first 429, nothing deleted; accepted again after the group caught up");
    }

    private static readonly RetentionCapacity Mock = new(MockKafkaCluster.RetainedBytesPerPartition, MockKafkaCluster.LargestBatchBytes);

    [Fact]
    public void The_safe_capacity_is_the_retention_less_one_segment()
    {
        Assert.Equal(5 * 1024 * 1024 - 1_000_000, Mock.SafeBytes);
        Assert.Equal(3L * 1024 * 1024 * 1024 - 256L * 1024 * 1024, new RetentionCapacity(3L * 1024 * 1024 * 1024, 256L * 1024 * 1024).SafeBytes);
        // A segment as large as the limit: half the limit is counted on.
        Assert.Equal(500, new RetentionCapacity(1_000, 1_000).SafeBytes);
    }

    [Fact]
    public void With_the_capacity_known_the_gate_closes_on_unread_bytes_before_anything_is_deleted()
    {
        var produced = new ProducedVolume();
        var headroom = new RetentionHeadroom(0.8, produced);
        // Events of 980 bytes as produced, 1,000 with the record overhead.
        produced.Acknowledged(0, 1_000 - RetentionHeadroom.RecordOverheadBytes);
        var limit = 0.8 * Mock.SafeBytes / 1_000;

        headroom.Update([new PartitionBacklog(0, Low: 0, High: (long)limit - 1, Committed: 0)], Mock);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 0, High: (long)limit + 1, Committed: 0), new PartitionBacklog(1, Low: 0, High: 10, Committed: 10)], Mock);
        Assert.Contains("partition 0", headroom.Refusal);
        Assert.Contains("MaxLagShareOfRetained", headroom.Refusal);

        // Read up to the committed offset: the same high watermark is fine again.
        headroom.Update([new PartitionBacklog(0, Low: 0, High: (long)limit + 1, Committed: 1_000)], Mock);
        Assert.Null(headroom.Refusal);
    }

    [Fact]
    public void A_partition_the_group_never_committed_is_unread_from_its_oldest_offset()
    {
        var produced = new ProducedVolume();
        var headroom = new RetentionHeadroom(0.8, produced);
        produced.Acknowledged(0, 1_000 - RetentionHeadroom.RecordOverheadBytes);
        var limit = (long)(0.8 * Mock.SafeBytes / 1_000);

        headroom.Update([new PartitionBacklog(0, Low: 0, High: limit - 1, Committed: -1001)], Mock);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 0, High: limit + 1, Committed: -1001)], Mock);
        Assert.Contains("committed nothing", headroom.Refusal);

        // Past the oldest offset the broker holds nothing is unread any more.
        headroom.Update([new PartitionBacklog(0, Low: 10, High: limit + 1, Committed: -1001)], Mock);
        Assert.Null(headroom.Refusal);
    }

    [Fact]
    public void What_ingest_writes_between_looks_counts_at_once()
    {
        var produced = new ProducedVolume();
        var headroom = new RetentionHeadroom(0.8, produced);
        produced.Acknowledged(3, 1_000);
        headroom.Update([new PartitionBacklog(3, Low: 0, High: 1_000, Committed: 0), new PartitionBacklog(4, Low: 0, High: 0, Committed: 0)], Mock);
        Assert.Null(headroom.Refusal);

        // Written to partition 4 after the look, 1,000 bytes an event: nothing on partition 3 changes, partition 4 fills up.
        var events = 0;
        while (headroom.Refusal is null)
        {
            produced.Acknowledged(4, 1_000);
            events++;
            Assert.True(events < 100_000, "never refused");
        }

        Assert.Contains("partition 4", headroom.Refusal);
        Assert.Equal((int)Math.Ceiling(0.8 * Mock.SafeBytes / 1_000), events);
    }

    [Fact]
    public void Without_a_capacity_the_gate_refuses_only_once_retention_deletes_and_the_unread_share_reaches_the_limit()
    {
        var produced = new ProducedVolume();
        var headroom = new RetentionHeadroom(0.8, produced);
        produced.Acknowledged(0, 1_000);

        headroom.Update([new PartitionBacklog(0, Low: 0, High: 1_000_000, Committed: 0)], capacity: null);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 100, High: 1_100, Committed: 400), new PartitionBacklog(1, Low: 100, High: 1_100, Committed: -1001)], capacity: null);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 100, High: 1_100, Committed: 1_000), new PartitionBacklog(3, Low: 100, High: 1_100, Committed: 300)], capacity: null);
        Assert.Contains("partition 3", headroom.Refusal);

        headroom.Update([new PartitionBacklog(3, Low: 100, High: 1_100, Committed: 1_100)], capacity: null);
        Assert.Null(headroom.Refusal);
    }

    [Fact]
    public void Before_ingest_produced_anything_the_size_of_an_event_is_unknown_and_the_fallback_decides()
    {
        var headroom = new RetentionHeadroom(0.8, new ProducedVolume());

        headroom.Update([new PartitionBacklog(0, Low: 0, High: 1_000_000, Committed: 0)], Mock);
        Assert.Null(headroom.Refusal);

        headroom.Update([new PartitionBacklog(0, Low: 100, High: 1_100, Committed: 100)], Mock);
        Assert.Contains("1000 events behind on partition 0", headroom.Refusal);
    }

    private void Commit(Func<WatermarkOffsets, long> offset)
    {
        using var group = GroupConsumer();
        group.Commit(Partitions().Select(p => new TopicPartitionOffset(p, offset(group.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10))))));
    }

    private List<WatermarkOffsets> Watermarks()
    {
        using var group = GroupConsumer();
        return Partitions().Select(p => group.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10))).ToList();
    }

    private IConsumer<Ignore, Ignore> GroupConsumer() => new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
    {
        BootstrapServers = host.Kafka.BootstrapServers,
        GroupId = host.GroupId,
        EnableAutoCommit = false,
    }).Build();

    private List<TopicPartition> Partitions()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = host.Kafka.BootstrapServers }).Build();
        return admin.GetMetadata(host.Topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(host.Topic, p.PartitionId)).ToList();
    }

    // Random text: the producer compresses, and the broker's retention counts what it stores.
    private static StringContent Batch(string service) => new(
        "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $$"""{"level":"INFO","service":"{{service}}","message":"event {{i}} {{Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(675))}}"}""")) + "]",
        Encoding.UTF8, "application/json");
}

/// <summary>Ingest watching a consumer group of the test's own, every second, told what the mock broker retains.</summary>
public sealed class IngestWithLaggingGroup : IngestHost
{
    public string GroupId { get; } = $"lag-tests-{Guid.NewGuid():N}";

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Ingest:PersisterGroupId", GroupId),
        new("Ingest:LagCheckInterval", "00:00:01"),
        new("Ingest:RetryAfterSeconds", "4"),
        new("Ingest:TopicRetentionBytes", MockKafkaCluster.RetainedBytesPerPartition.ToString(CultureInfo.InvariantCulture)),
        new("Ingest:TopicSegmentBytes", MockKafkaCluster.LargestBatchBytes.ToString(CultureInfo.InvariantCulture)),
    ];
}
