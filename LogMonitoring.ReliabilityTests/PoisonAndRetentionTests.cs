using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.ReliabilityTests.Infrastructure;

namespace LogMonitoring.ReliabilityTests;

/// <summary>
/// Faults that arrive through the topic itself: messages that can never be stored, and a consumer
/// that falls behind the broker's retention.
/// </summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class PoisonAndRetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] ValidEvent(string service, long seq, int padding = 0) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        timestamp = DateTime.UtcNow.ToString("O"),
        level = "INFO",
        service,
        message = $"event {seq} " + new string('x', padding),
        metadata = new { seq },
    });

    /// <summary>Every kind of message the persister can never store, each named by the reason it should give.</summary>
    private static IEnumerable<(string Kind, byte[]? Value)> PoisonMessages()
    {
        yield return ("not_json", "this is not json"u8.ToArray());
        yield return ("not_json", "{\"level\":\"INFO\",\"service\":\"a\",\"message\":"u8.ToArray());
        yield return ("not_json", [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
        yield return ("not_json", Encoding.UTF8.GetBytes(new string('[', 200) + new string(']', 200)));
        yield return ("not_json", "{\"level\":\"INFO\"} trailing"u8.ToArray());
        yield return ("invalid", "[1,2,3]"u8.ToArray());
        yield return ("invalid", "{\"service\":\"rel-poison\",\"message\":\"no level\"}"u8.ToArray());
        yield return ("invalid", "{\"level\":\"INFO\",\"service\":\"rel poison!\",\"message\":\"bad service\"}"u8.ToArray());
        yield return ("invalid", "{\"level\":\"INFO\",\"service\":\"rel-poison\",\"message\":\"m\",\"metadata\":{\"$where\":\"1\"}}"u8.ToArray());
        yield return ("invalid", "{\"level\":\"INFO\",\"service\":\"rel-poison\",\"message\":\"lone \\ud800 surrogate\"}"u8.ToArray());
        yield return ("invalid", "{\"level\":\"INFO\",\"service\":\"rel-poison\",\"message\":\"m\",\"metadata\":{\"\\udc00\":1}}"u8.ToArray());
        yield return ("too_large", ValidEvent("rel-poison", -1, padding: 300 * 1024));
        yield return ("empty", null);
        yield return ("empty", []);
    }

    [Fact]
    public async Task Poison_and_oversized_messages_go_to_the_dead_letter_topic_and_the_partition_keeps_moving()
    {
        // Injected: 14 messages that can never be stored (5 kinds), interleaved with 56 valid events on one partition.
        await using var system = new ProcessSystem(partitions: 1);
        var persister = system.AddPersister();
        await persister.StartHealthyAsync(TimeSpan.FromSeconds(60), Ct);

        var poison = PoisonMessages().ToList();
        var poisonOffsets = new Dictionary<long, string>();
        var valid = 0;
        using (var producer = KafkaProbe.Producer(system.Kafka.BootstrapServers))
        {
            foreach (var (kind, value) in poison)
            {
                for (var i = 0; i < 4; i++)
                {
                    await producer.ProduceAsync(new TopicPartition(LogTopics.Logs, 0), new Message<byte[]?, byte[]?> { Value = ValidEvent("rel-poison", valid++) }, Ct);
                }

                var report = await producer.ProduceAsync(new TopicPartition(LogTopics.Logs, 0), new Message<byte[]?, byte[]?> { Value = value }, Ct);
                poisonOffsets[report.Offset.Value] = kind;
            }
        }

        using var probe = system.Probe();
        await probe.WaitCaughtUpAsync(1, TimeSpan.FromSeconds(60), Ct);
        var stored = await system.StoredAsync("rel-poison", Ct);
        var deadLetters = probe.DeadLetters(poison.Count, TimeSpan.FromSeconds(30));

        Assert.Equal(valid, stored.Count);
        Assert.Equal(Enumerable.Range(0, valid).Select(i => (long)i), stored.Select(s => s.Seq).Order());
        Assert.Equal(poison.Count, deadLetters.Count);
        foreach (var dead in deadLetters)
        {
            string Header(string name) => Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes(name));
            var offset = long.Parse(Header(LogTopics.DeadLetterHeaders.Offset), CultureInfo.InvariantCulture);
            Assert.True(poisonOffsets.ContainsKey(offset), $"offset {offset} was dead-lettered but is not a poison message");
            Assert.Equal(LogTopics.Logs, Header(LogTopics.DeadLetterHeaders.Topic));
            Assert.Equal("0", Header(LogTopics.DeadLetterHeaders.Partition));
            Assert.False(string.IsNullOrWhiteSpace(Header(LogTopics.DeadLetterHeaders.Reason)));
        }

        Assert.Equal(poisonOffsets.Keys.Order(), deadLetters.Select(d => long.Parse(Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes(LogTopics.DeadLetterHeaders.Offset)), CultureInfo.InvariantCulture)).Order());
        foreach (var kind in poisonOffsets.Values.Distinct())
        {
            var metric = await persister.MetricAsync("logmon_persister_events_dead_lettered_total", Ct, $"reason=\"{kind}\"");
            Assert.True(poisonOffsets.Values.Count(k => k == kind) == (int)metric,
                $"{kind}: {metric} dead-lettered by the metric\n{await persister.Client.GetStringAsync("/metrics", Ct)}");
        }

        Assert.Equal(HttpStatusCode.OK, (await persister.HealthAsync(Ct)).Status);
        FaultReport.Print("poison and oversized messages", poison.Count, $"{valid} valid events around them on one partition",
            lost: valid - stored.Select(s => s.Seq).Distinct().Count(), duplicated: stored.Count - stored.Select(s => s.Seq).Distinct().Count(), $"dead-lettered {deadLetters.Count} ({string.Join(", ", poisonOffsets.Values.GroupBy(k => k).Select(g => $"{g.Key} {g.Count()}"))}); partition committed to its end");
    }

    [Fact]
    public async Task A_consumer_behind_retention_reports_the_loss_in_a_metric_and_a_log_line()
    {
        // Injected: the persister is stopped while ~8 MiB is produced to one partition, over the mock
        // broker's ~5 MiB per-partition retention, so the oldest unread messages are deleted.
        await using var system = new ProcessSystem(partitions: 1);
        var persister = system.AddPersister();
        await persister.StartHealthyAsync(TimeSpan.FromSeconds(60), Ct);
        using var probe = system.Probe();
        const int before = 20, behind = 8_000;
        using (var producer = KafkaProbe.Producer(system.Kafka.BootstrapServers))
        {
            for (var seq = 0; seq < before; seq++)
            {
                producer.Produce(new TopicPartition(LogTopics.Logs, 0), new Message<byte[]?, byte[]?> { Value = ValidEvent("rel-retention", seq) });
            }

            producer.Flush(Ct);
            await probe.WaitCaughtUpAsync(1, TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(0, await persister.TerminateAsync(TimeSpan.FromSeconds(60)));

            for (var seq = before; seq < before + behind; seq++)
            {
                producer.Produce(new TopicPartition(LogTopics.Logs, 0), new Message<byte[]?, byte[]?> { Value = ValidEvent("rel-retention", seq, padding: 1024) });
            }

            producer.Flush(Ct);
        }

        var watermarks = probe.Watermarks(0);
        Assert.True(watermarks.Low.Value > before, $"the broker kept everything (low watermark {watermarks.Low.Value}); the test did not push past retention");
        var deleted = watermarks.Low.Value - before;

        await persister.StartHealthyAsync(TimeSpan.FromSeconds(60), Ct);
        await probe.WaitCaughtUpAsync(1, TimeSpan.FromSeconds(90), Ct);
        var lostMetric = await persister.MetricAsync("logmon_persister_events_lost_total", Ct);
        var stored = await system.StoredAsync("rel-retention", Ct);

        // The loss is reported exactly: what the metric says is gone plus what is stored is what was produced.
        Assert.Equal(deleted, (long)lostMetric);
        Assert.Equal(before + behind, stored.Count + (long)lostMetric);
        Assert.Equal(stored.Count, stored.Select(s => s.Seq).Distinct().Count());
        Assert.Contains(persister.Output, line => line.Contains($"LOST {deleted} messages", StringComparison.Ordinal));
        // Here "lost" counts what is neither stored nor reported: the retention loss itself is reported, so not silent.
        FaultReport.Print("consumer behind retention", 1, $"{before + behind} events produced, {before} stored before the stop",
            lost: before + behind - stored.Count - (long)lostMetric, duplicated: stored.Count - stored.Select(s => s.Seq).Distinct().Count(), $"{deleted} deleted by retention, all {deleted} reported in logmon_persister_events_lost_total and a LOST log line");
    }
}
