using System.Globalization;
using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

public sealed class LogEventReaderTests
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>Through the sender door (ingest), or with <paramref name="fromTopic"/> through the topic door (persister).</summary>
    private static (LogEvent? Event, List<string> Errors) Read(string json, LogLimits? limits = null, bool fromTopic = false)
    {
        var reader = new LogEventReader(limits ?? new LogLimits());
        var errors = new List<LogEventError>();
        LogEvent? e;
        if (fromTopic)
        {
            e = reader.ReadFromTopic(Encoding.UTF8.GetBytes(json), new TopicPosition("logs", 0, 0), errors);
        }
        else
        {
            using var document = JsonDocument.Parse(json);
            e = reader.ReadFromSender(document.RootElement, Now, errors);
        }

        return (e, errors.Select(error => error.ToString()).ToList());
    }

    [Theory]
    [InlineData("""{"service":"a","message":"m"}""", "level: is required")]
    [InlineData("""{"level":"INFO","message":"m"}""", "service: is required")]
    [InlineData("""{"level":"INFO","service":"a"}""", "message: is required")]
    [InlineData("""{"level":"INFO","service":"","message":"m"}""", "service: must not be empty")]
    [InlineData("""{"level":"INFO","service":"a","message":""}""", "message: must not be empty")]
    [InlineData("""{"level":"INFO","service":"a","message":"   "}""", "message: must not be empty")]
    [InlineData("""{"level":3,"service":"a","message":"m"}""", "level: a number is not a level")]
    [InlineData("""{"level":"LOUD","service":"a","message":"m"}""", "level: 'LOUD' is not a level")]
    [InlineData("""{"level":"INFO","service":42,"message":"m"}""", "service: must be a string, not a number")]
    [InlineData("""{"level":"INFO","service":"a b","message":"m"}""", "service: may contain only")]
    [InlineData("""{"level":"INFO","service":"a","message":["m"]}""", "message: must be a string, not an array")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":"yesterday"}""", "timestamp: 'yesterday' is not an ISO 8601")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":"1/2/2024"}""", "timestamp: '1/2/2024' is not an ISO 8601")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":1705312200}""", "timestamp: must be an ISO 8601 string")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":"2099-01-01T00:00:00Z"}""", "timestamp: is more than")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":"1970-01-01T00:00:00Z"}""", "timestamp: is more than 30 days in the past")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","metadata":"x"}""", "metadata: must be a JSON object, not a string")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","metadata":{"$where":"1"}}""", "metadata.$where: keys must not start with '$'")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","metadata":{"":"1"}}""", "metadata: has an empty key")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","trace_id":"xyz"}""", "trace_id: must be 32 hexadecimal characters")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","span_id":"0123456789abcdeg"}""", "span_id: must be 16 hexadecimal characters")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","id":""}""", "id: must not be empty")]
    [InlineData("""{"level":"INFO","service":"a\u0000","message":"m"}""", "service: contains control character U+0000")]
    [InlineData("""{"level":"INFO","service":"a","message":"bell\u0007"}""", "message: contains control character U+0007")]
    public void Each_rule_names_its_field(string json, string expected)
    {
        var (e, errors) = Read(json);

        Assert.Null(e);
        Assert.Contains(errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"level":"LOUD","service":"a","message":"m"}""", LogEventErrorCodes.UnknownLevel, "level")]
    [InlineData("""{"level":"INFO","message":"m"}""", LogEventErrorCodes.Required, "service")]
    [InlineData("""{"level":"INFO","service":42,"message":"m"}""", LogEventErrorCodes.WrongType, "service")]
    [InlineData("""{"level":"INFO","service":"a b","message":"m"}""", LogEventErrorCodes.InvalidCharacter, "service")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":"yesterday"}""", LogEventErrorCodes.InvalidTimestamp, "timestamp")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","timestamp":"1970-01-01T00:00:00Z"}""", LogEventErrorCodes.OutOfWindow, "timestamp")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","metadata":{"user":{"$where":"1"}}}""", LogEventErrorCodes.InvalidKey, "metadata.user.$where")]
    [InlineData("""{"level":"INFO","service":"a","message":"m","trace_id":"xyz"}""", LogEventErrorCodes.InvalidId, "trace_id")]
    [InlineData("""{"level":"INFO","level":"WARN","service":"a","message":"m"}""", LogEventErrorCodes.Duplicate, "level")]
    [InlineData("""[1]""", LogEventErrorCodes.WrongType, "event")]
    public void Each_error_carries_a_code_and_the_field_for_programs(string json, string code, string field)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<LogEventError>();

        Assert.Null(new LogEventReader(new LogLimits()).ReadFromSender(document.RootElement, Now, errors));

        var error = Assert.Single(errors);
        Assert.Equal((code, field), (error.Code, error.Field));
        Assert.Equal($"{error.Field}: {error.Message}", error.ToString());
    }

    [Fact]
    public void Size_limits_are_told_apart_from_other_errors()
    {
        var limits = new LogLimits { MaxMessageLength = 5, MaxMetadataKeys = 1, MaxMetadataDepth = 1 };
        using var document = JsonDocument.Parse("""[{"level":"INFO","service":"a","message":"123456"},{"level":"INFO","service":"a","message":"m","metadata":{"a":1,"b":2}},{"level":"INFO","service":"a","message":"m","metadata":{"a":{"b":1}}}]""");
        var reader = new LogEventReader(limits);

        var errors = document.RootElement.EnumerateArray().Select(e =>
        {
            var list = new List<LogEventError>();
            reader.ReadFromSender(e, Now, list);
            return Assert.Single(list);
        }).ToList();

        Assert.Equal([LogEventErrorCodes.TooLong, LogEventErrorCodes.TooManyKeys, LogEventErrorCodes.TooDeep], errors.Select(e => e.Code));
        Assert.Equal([true, true, false], errors.Select(e => e.IsOverSizeLimit));
    }

    [Fact]
    public void The_topic_door_refuses_what_is_not_one_json_object_and_keeps_the_receive_time_it_carries()
    {
        var reader = new LogEventReader(new LogLimits());
        var errors = new List<LogEventError>();

        Assert.Null(reader.ReadFromTopic("not json"u8, new TopicPosition("logs", 0, 0), errors));
        Assert.Null(reader.ReadFromTopic("""{"level":"INFO","service":"a","message":"m"} {}"""u8, new TopicPosition("logs", 0, 0), errors));
        Assert.Null(reader.ReadFromTopic(new byte[] { 0x7b, 0xff, 0x7d }, new TopicPosition("logs", 0, 0), errors));
        Assert.Equal([LogEventErrorCodes.NotJson, LogEventErrorCodes.NotJson, LogEventErrorCodes.NotJson], errors.Select(e => e.Code));

        var read = reader.ReadFromTopic("""{"level":"INFO","service":"a","message":"m","received_at":"2024-01-15T10:30:01Z"}"""u8, new TopicPosition("logs", 0, 0), errors);
        Assert.Equal(new DateTime(2024, 1, 15, 10, 30, 1, DateTimeKind.Utc), read!.ReceivedAt);
        Assert.Equal(new TopicPosition("logs", 0, 0).FallbackStoreId(), read.Id);
    }

    [Fact]
    public void The_sender_door_stamps_the_receive_time_and_gives_an_event_without_id_a_new_one()
    {
        using var document = JsonDocument.Parse("""{"level":"INFO","service":"a","message":"m","received_at":"2000-01-01T00:00:00Z"}""");
        var reader = new LogEventReader(new LogLimits());

        var first = reader.ReadFromSender(document.RootElement, Now, []);
        var second = reader.ReadFromSender(document.RootElement, Now, []);

        Assert.Equal(Now, first!.ReceivedAt);
        Assert.NotNull(first.SourceId);
        Assert.NotEqual(first.SourceId, second!.SourceId);
        Assert.Equal(LogEventId.ForSource("a", first.SourceId), first.Id);
    }

    [Fact]
    public void Every_error_of_an_event_is_reported_at_once()
    {
        var (_, errors) = Read("""{"level":"NOPE","service":"","message":7}""");

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Limits_are_enforced_and_named()
    {
        var limits = new LogLimits { MaxMessageLength = 5, MaxServiceLength = 3, MaxMetadataKeys = 2, MaxMetadataDepth = 2, MaxIdLength = 4, MaxHostLength = 2 };

        Assert.Contains("MaxMessageLength", Read("""{"level":"INFO","service":"a","message":"123456"}""", limits).Errors.Single());
        Assert.Contains("MaxServiceLength", Read("""{"level":"INFO","service":"abcd","message":"m"}""", limits).Errors.Single());
        Assert.Contains("MaxMetadataKeys", Read("""{"level":"INFO","service":"a","message":"m","metadata":{"a":1,"b":2,"c":3}}""", limits).Errors.Single());
        Assert.Contains("MaxMetadataDepth", Read("""{"level":"INFO","service":"a","message":"m","metadata":{"a":{"b":{"c":1}}}}""", limits).Errors.Single());
        Assert.Contains("MaxIdLength", Read("""{"level":"INFO","service":"a","message":"m","id":"12345"}""", limits).Errors.Single());
        Assert.Contains("MaxHostLength", Read("""{"level":"INFO","service":"a","message":"m","host":"abc"}""", limits).Errors.Single());
        Assert.Contains("MaxMetadataBytes", Read("""{"level":"INFO","service":"a","message":"m","metadata":{"a":"0123456789"}}""", new LogLimits { MaxMetadataBytes = 10 }).Errors.Single());
    }

    [Fact]
    public void Messages_keep_line_breaks_and_tabs()
    {
        var (e, errors) = Read("""{"level":"ERROR","service":"a","message":"boom\n\tat Foo()\r\n"}""");

        Assert.Empty(errors);
        Assert.Equal("boom\n\tat Foo()\r\n", e!.Message);
    }

    [Fact]
    public void Unknown_fields_are_kept_as_metadata_not_dropped()
    {
        var (e, _) = Read("""{"level":"INFO","service":"a","message":"m","metadata":{"x":1},"region":"eu","attempt":2}""");

        using var metadata = JsonDocument.Parse(e!.MetadataJson!);
        Assert.Equal(1, metadata.RootElement.GetProperty("x").GetInt32());
        Assert.Equal("eu", metadata.RootElement.GetProperty("region").GetString());
        Assert.Equal(2, metadata.RootElement.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public void A_missing_timestamp_is_the_receive_time_and_offsets_become_utc()
    {
        Assert.Equal(Now, Read("""{"level":"INFO","service":"a","message":"m"}""").Event!.Timestamp);
        Assert.Equal(new DateTime(2024, 1, 15, 8, 30, 0, DateTimeKind.Utc),
            Read("""{"level":"INFO","service":"a","message":"m","timestamp":"2024-01-15T10:30:00+02:00"}""").Event!.Timestamp);
        Assert.Equal(new DateTime(2024, 1, 15, 10, 30, 0, DateTimeKind.Utc),
            Read("""{"level":"INFO","service":"a","message":"m","timestamp":"2024-01-15T10:30:00"}""").Event!.Timestamp);
    }

    [Theory]
    [InlineData("2000-01-01T00:00:00Z")]
    [InlineData("2000-01-01T00:00:00.1Z")]
    [InlineData("2000-01-01T00:00:00.1234567Z")]
    [InlineData("2000-01-01T00:00:00.12345678Z")]
    [InlineData("2000-01-01T00:00:00.99999999Z")]
    [InlineData("2000-01-01T23:59:59.9999999+02:00")]
    [InlineData("2000-01-01T00:00:00-14:00")]
    [InlineData("2000-01-01T00:00:00")]
    [InlineData("2000-01-01T00:00:00.5")]
    [InlineData("2000-02-30T00:00:00Z")]
    [InlineData("2000-01-01T24:00:00Z")]
    [InlineData("2000-01-01T00:00:60Z")]
    [InlineData("2000-01-01T00:00:00.Z")]
    [InlineData("2000-01-01T00:00:00+2:00")]
    [InlineData("2000-01-01T00:00+02:00")]
    [InlineData("2000-01-01 00:00:00Z")]
    [InlineData(" 2000-01-01T00:00:00Z ")]
    [InlineData("2000-01-01T00:00:00\\u005A")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59.9999999-01:00")]
    public void A_timestamp_reads_as_the_general_iso_8601_parser_reads_it(string timestamp)
    {
        var text = JsonSerializer.Deserialize<string>($"\"{timestamp}\"")!;
        var expected = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? parsed.UtcDateTime
            : (DateTime?)null;

        var (e, errors) = Read($$"""{"level":"INFO","service":"a","message":"m","timestamp":"{{timestamp}}"}""", fromTopic: true);

        // The topic door checks no window, so the value itself is compared; out-of-range values are refused by both.
        if (expected is { } utc && errors.Count == 0)
        {
            Assert.Equal(utc, e!.Timestamp);
            Assert.Equal(DateTimeKind.Utc, e.Timestamp.Kind);
        }
        else
        {
            Assert.Null(e);
            Assert.Contains(errors, m => m.StartsWith("timestamp:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_time_window_is_not_checked_for_events_that_waited_in_kafka()
    {
        var (e, errors) = Read("""{"level":"INFO","service":"a","message":"m","timestamp":"2000-01-01T00:00:00Z"}""", fromTopic: true);

        Assert.Empty(errors);
        Assert.Equal(2000, e!.Timestamp.Year);
    }

    [Fact]
    public void Trace_context_is_kept_in_lower_case()
    {
        var (e, _) = Read("""{"level":"INFO","service":"a","message":"m","trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00F067AA0BA902B7","host":"web-1"}""");

        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", e!.TraceId);
        Assert.Equal("00f067aa0ba902b7", e.SpanId);
        Assert.Equal("web-1", e.Host);
    }
}
