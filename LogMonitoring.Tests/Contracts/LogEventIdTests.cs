using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

public sealed class LogEventIdTests
{
    [Fact]
    public void A_senders_id_gives_the_same_store_id_every_time()
    {
        Assert.Equal(LogEventId.ForSource("api", "req-1"), LogEventId.ForSource("api", "req-1"));
    }

    [Fact]
    public void The_same_sender_id_in_two_services_gives_two_events()
    {
        Assert.NotEqual(LogEventId.ForSource("api", "req-1"), LogEventId.ForSource("auth", "req-1"));
        // The separator keeps "a"+"bc" apart from "ab"+"c".
        Assert.NotEqual(LogEventId.ForSource("a", "bc"), LogEventId.ForSource("ab", "c"));
    }

    [Fact]
    public void A_v7_sender_id_leads_its_store_key_with_its_timestamp_so_keys_arrive_in_time_order()
    {
        var sourceIds = Enumerable.Range(0, 200).Select(_ =>
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(0.2));
            return LogEventId.NewSourceId();
        }).ToList();
        var keys = sourceIds.Select(id => LogEventId.ForSource("api", id)).ToList();

        Assert.All(sourceIds.Zip(keys), p =>
        {
            Assert.Equal(p.First[..13], p.Second[..13]);
            Assert.Equal('8', p.Second[14]);
            Assert.Contains(p.Second[19], "89ab");
        });
        var timeParts = keys.Select(k => k[..13]).ToList();
        Assert.Equal(timeParts.Order(StringComparer.Ordinal), timeParts);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // Still the service's key alone, and the same at every redelivery.
        Assert.Equal(keys[0], LogEventId.ForSource("api", sourceIds[0]));
        Assert.NotEqual(keys[0], LogEventId.ForSource("auth", sourceIds[0]));
    }

    [Fact]
    public void Any_other_sender_id_gives_a_name_based_v5_key()
    {
        Assert.Equal('5', LogEventId.ForSource("api", "req-1")[14]);
        // A v4 UUID has no time to lend.
        Assert.Equal('5', LogEventId.ForSource("api", Guid.NewGuid().ToString())[14]);
    }

    [Fact]
    public void A_kafka_position_gives_a_stable_id_distinct_per_offset()
    {
        Assert.Equal(LogEventId.ForKafkaPosition("logs", 1, 7), LogEventId.ForKafkaPosition("logs", 1, 7));
        Assert.NotEqual(LogEventId.ForKafkaPosition("logs", 1, 7), LogEventId.ForKafkaPosition("logs", 1, 8));
        Assert.NotEqual(LogEventId.ForKafkaPosition("logs", 1, 7), LogEventId.ForKafkaPosition("logs", 2, 7));
    }

    [Fact]
    public void Assigned_source_ids_are_unique_and_time_ordered_uuid_v7()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => LogEventId.NewSourceId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal('7', id[14]));
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public void The_wire_form_round_trips_through_the_persisters_reader()
    {
        var original = new LogEvent
        {
            Id = LogEventId.ForSource("api", "k1"),
            SourceId = "k1",
            Timestamp = new DateTime(2024, 1, 15, 10, 30, 0, 123, DateTimeKind.Utc),
            Level = LogEventLevel.Warn,
            Service = "api",
            Message = "slow \"query\"",
            MetadataJson = """{"ms":1234}""",
            Host = "h1",
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            SpanId = "00f067aa0ba902b7",
            ReceivedAt = new DateTime(2024, 1, 15, 10, 30, 1, DateTimeKind.Utc),
        };

        var errors = new List<LogEventError>();
        var read = new LogEventReader(new LogLimits()).ReadFromTopic(LogEventJson.ToUtf8Bytes(original), new TopicPosition("logs", 0, 0), errors);
        Assert.True(read is not null, string.Join(";", errors));

        Assert.Equal(original with { MetadataJson = null }, read! with { MetadataJson = null });
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(original.MetadataJson).RootElement, JsonDocument.Parse(read!.MetadataJson!).RootElement));
    }

    [Fact]
    public void A_message_without_id_takes_the_fallback_from_its_kafka_position()
    {
        var errors = new List<LogEventError>();
        var fallback = LogEventId.ForKafkaPosition("logs", 0, 5);
        var read = new LogEventReader(new LogLimits()).ReadFromTopic("""{"level":"INFO","service":"a","message":"m"}"""u8, new TopicPosition("logs", 0, 5), errors);

        Assert.Equal(fallback, read!.Id);
        Assert.Null(read.SourceId);
    }

    [Fact]
    public void An_event_without_a_given_store_id_derives_it_from_its_service_and_source_id()
    {
        var derived = new LogEvent { SourceId = "k1", Timestamp = DateTime.UnixEpoch, Level = LogEventLevel.Info, Service = "api", Message = "m" };

        Assert.Equal(LogEventId.ForSource("api", "k1"), derived.Id);
        Assert.Equal(LogEventId.ForSource("api", "k2"), (derived with { SourceId = "k2" }).Id);
        Assert.Equal(derived with { Id = LogEventId.ForSource("api", "k1") }, derived);
        Assert.Equal((derived with { Id = LogEventId.ForSource("api", "k1") }).GetHashCode(), derived.GetHashCode());
        Assert.Throws<InvalidOperationException>(() => (derived with { SourceId = null }).Id);
    }

    [Fact]
    public void Events_differing_in_any_one_property_are_not_equal()
    {
        var e = new LogEvent
        {
            Id = "id",
            SourceId = "s",
            Timestamp = DateTime.UnixEpoch,
            Level = LogEventLevel.Info,
            Service = "api",
            Message = "m",
            MetadataJson = "{}",
            Host = "h",
            TraceId = "t",
            SpanId = "p",
            ReceivedAt = DateTime.UnixEpoch,
        };
        var variants = new[]
        {
            e with { Id = "other" }, e with { SourceId = "other" }, e with { Timestamp = DateTime.MaxValue }, e with { Level = LogEventLevel.Error },
            e with { Service = "other" }, e with { Message = "other" }, e with { MetadataJson = null }, e with { Host = null },
            e with { TraceId = null }, e with { SpanId = null }, e with { ReceivedAt = null },
        };

        // One variant per public property: a property added later must join the comparison and this list.
        Assert.Equal(typeof(LogEvent).GetProperties().Count(p => p.CanRead && p.Name != "EqualityContract"), variants.Length);
        Assert.All(variants, v => Assert.NotEqual(e, v));
        Assert.Equal(e, e with { });
    }
}
