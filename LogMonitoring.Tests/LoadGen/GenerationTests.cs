using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.LoadGen.Kafka;
using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.Tests.LoadGen;

public sealed class GenerationTests
{
    private static readonly LogBatchParser s_parser = new(new LogEventReader(new LogLimits()));

    [Theory]
    [InlineData(200)]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(4000)]
    public void Events_come_out_close_to_the_asked_size(int size)
    {
        var events = new SyntheticEvents(size);
        var lengths = Enumerable.Range(0, 200).Select(_ => SyntheticEvents.SenderJson(events.Next(DateTime.UtcNow)).Length).ToList();
        Assert.InRange(lengths.Average(), size * 0.95, size * 1.05);
    }

    [Theory]
    [InlineData(BodyFormat.Ndjson, LogBatchFormat.Ndjson, 250)]
    [InlineData(BodyFormat.Json, LogBatchFormat.Json, 250)]
    [InlineData(BodyFormat.Single, LogBatchFormat.Json, 1)]
    public void Every_body_is_accepted_whole_by_the_ingest_parser(BodyFormat format, LogBatchFormat parsed, int expectedEvents)
    {
        var now = DateTime.UtcNow;
        var bodies = RequestBodies.Build(new SyntheticEvents(300), format, 250, 4, now);
        Assert.Equal(4, bodies.Count);
        foreach (var body in bodies)
        {
            Assert.Null(s_parser.Read(body.Content, parsed, now, out var batch));
            Assert.Empty(batch.Rejected);
            Assert.Equal(expectedEvents, batch.Accepted.Count);
            Assert.Equal(expectedEvents, body.Events);
        }
    }

    [Fact]
    public void The_level_mix_is_mostly_info_with_a_few_errors()
    {
        var events = new SyntheticEvents(300, seed: 3);
        var levels = Enumerable.Range(0, 20_000).Select(_ => events.Next(DateTime.UtcNow).Level).ToList();
        var share = (LogEventLevel level) => levels.Count(l => l == level) / (double)levels.Count;
        Assert.InRange(share(LogEventLevel.Info), 0.72, 0.78);
        Assert.InRange(share(LogEventLevel.Error) + share(LogEventLevel.Fatal), 0.04, 0.06);
        Assert.Equal(0, share(LogEventLevel.Trace));
    }

    [Theory]
    [InlineData("""{"accepted":500,"rejected":[]}""", 500, 0)]
    [InlineData("""{"accepted":3,"rejected":[{"index":1,"errors":["level: is required"]},{"index":4,"errors":["a","b"]}]}""", 3, 2)]
    [InlineData("""{"rejected":[{"index":0,"errors":[]}],"accepted":0}""", 0, 1)]
    public void The_ingest_answer_is_read_for_accepted_and_rejected(string json, int accepted, int rejected) =>
        Assert.Equal((accepted, rejected), RequestBodies.ReadIngestAnswer(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Stamped_ids_are_unique_uuid_v7_of_the_current_millisecond_and_keep_the_event_valid()
    {
        var ids = new UniqueSourceIds();
        var template = LogEventJson.ToUtf8Bytes(new SyntheticEvents(300).NextAccepted(DateTime.UtcNow) with { SourceId = ids.Placeholder });
        var offset = ids.OffsetIn(template);
        var reader = new LogEventReader(new LogLimits());
        var seen = new HashSet<string>();
        for (var i = 0; i < 1000; i++)
        {
            var message = ids.Stamp(template, offset);
            var logEvent = reader.ReadFromTopic(message, new TopicPosition("logs", 0, 0), []);
            Assert.NotNull(logEvent);
            Assert.True(seen.Add(logEvent.Id), "each stamped message must have its own store id");
            // As ingest's ids: a v7 UUID made now, whose time leads the store key.
            Assert.True(Guid.TryParse(logEvent.SourceId, out var sourceId));
            Assert.Equal(7, sourceId.Version);
            var made = long.Parse(logEvent.SourceId![..8] + logEvent.SourceId[9..13], System.Globalization.NumberStyles.HexNumber);
            Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - made, 0, 60_000);
            Assert.Equal(logEvent.SourceId[..13], logEvent.Id[..13]);
        }
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1_500)]
    [InlineData("90", 90_000)]
    [InlineData("1h", 3_600_000)]
    public void Durations_read_as_typed(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("5 parsecs")]
    public void Nonsense_durations_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Fact]
    public void Stored_progress_measures_the_rate_from_the_first_write()
    {
        var progress = new StoredProgress();
        progress.Observe(TimeSpan.FromSeconds(0), 0);
        progress.Observe(TimeSpan.FromSeconds(5), 0);
        progress.Observe(TimeSpan.FromSeconds(6), 10_000);
        progress.Observe(TimeSpan.FromSeconds(7), 20_000);
        progress.Observe(TimeSpan.FromSeconds(8), 20_000);

        Assert.Equal(20_000, progress.Last);
        Assert.Equal(TimeSpan.FromSeconds(2), progress.GrowthTime);
        Assert.Equal(10_000, progress.Rate);
    }

    [Fact]
    public void Summary_json_uses_the_names_scripts_read()
    {
        var options = new LogMonitoring.LoadGen.Commands.IngestLoadOptions { IngestUrl = new Uri("http://localhost") };
        var counters = new RunCounters();
        counters.Answered("202", 500, 498, 2, TimeSpan.FromMilliseconds(12));
        var summary = LogMonitoring.LoadGen.Commands.IngestLoadSummary.From(options, counters, TimeSpan.FromSeconds(1), null, null);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(summary, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        Assert.Equal(498, json.RootElement.GetProperty("accepted").GetInt64());
        Assert.Equal(498, json.RootElement.GetProperty("acceptedPerSecond").GetDouble());
        Assert.Equal(0, json.RootElement.GetProperty("failedEvents").GetInt64());
        Assert.InRange(json.RootElement.GetProperty("latencyMs").GetProperty("p99").GetDouble(), 12, 12.2);
    }
}
