using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

public sealed class LogEventReaderTests
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    private static (LogEvent? Event, List<string> Errors) Read(string json, LogLimits? limits = null, bool checkTime = true)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<string>();
        new LogEventReader(limits ?? new LogLimits()).TryRead(
            document.RootElement, Now, checkTime, Now, LogEventReader.MissingId.AssignNew, null, errors, out var e);
        return (e, errors);
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

    [Fact]
    public void The_time_window_can_be_left_unchecked_for_events_that_waited_in_kafka()
    {
        var (e, errors) = Read("""{"level":"INFO","service":"a","message":"m","timestamp":"2000-01-01T00:00:00Z"}""", checkTime: false);

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
