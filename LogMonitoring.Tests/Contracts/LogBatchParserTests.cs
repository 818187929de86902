using System.Text;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

public sealed class LogBatchParserTests
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    private static LogBatchParser Parser(LogLimits? limits = null) => new(new LogEventReader(limits ?? new LogLimits()));

    private static (LogBatch Batch, LogBatchError? Error) Parse(string body, LogBatchFormat format = LogBatchFormat.Json, LogLimits? limits = null)
    {
        var error = Parser(limits).Read(Encoding.UTF8.GetBytes(body), format, Now, out var batch);
        return (batch, error);
    }

    private const string Seed = """
        { "timestamp": "2024-01-15T10:30:00Z", "level": "INFO", "service": "api-service",
          "message": "User login successful", "metadata": { "user_id": "12345", "ip": "192.168.1.1" } }
        """;

    [Fact]
    public void The_seed_event_is_accepted_with_every_field()
    {
        var (batch, error) = Parse(Seed);

        Assert.Null(error);
        var e = Assert.Single(batch.Accepted);
        Assert.Equal(new DateTime(2024, 1, 15, 10, 30, 0, DateTimeKind.Utc), e.Timestamp);
        Assert.Equal(DateTimeKind.Utc, e.Timestamp.Kind);
        Assert.Equal(LogEventLevel.Info, e.Level);
        Assert.Equal("api-service", e.Service);
        Assert.Equal("User login successful", e.Message);
        Assert.Equal("""{ "user_id": "12345", "ip": "192.168.1.1" }""", e.MetadataJson);
        Assert.NotNull(e.SourceId);
        Assert.Equal(LogEventId.ForSource("api-service", e.SourceId!), e.Id);
        Assert.Equal(Now, e.ReceivedAt);
    }

    [Fact]
    public void An_array_is_a_batch_and_invalid_events_are_listed_by_index()
    {
        var (batch, error) = Parse("[" + Seed + """, {"level":"INFO","service":"a"}, """ + Seed + ", 42]");

        Assert.Null(error);
        Assert.Equal(2, batch.Accepted.Count);
        Assert.Equal([1, 3], batch.Rejected.Select(r => r.Index));
        Assert.Contains("message: is required", batch.Rejected[0].Errors);
        Assert.Contains(batch.Rejected[1].Errors, e => e.StartsWith("event: must be a JSON object", StringComparison.Ordinal));
    }

    [Fact]
    public void Ndjson_lines_are_events_and_a_broken_line_only_rejects_itself()
    {
        var body = string.Join("\n", Seed.ReplaceLineEndings(" "), "{not json", "", Seed.ReplaceLineEndings(" ") + "\r");
        var (batch, error) = Parse(body, LogBatchFormat.Ndjson);

        Assert.Null(error);
        Assert.Equal(2, batch.Accepted.Count);
        var rejected = Assert.Single(batch.Rejected);
        Assert.Equal(1, rejected.Index);
        Assert.StartsWith("line 2: not valid JSON", rejected.Errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "body: not valid JSON")]
    [InlineData("{\"level\":", "body: not valid JSON")]
    [InlineData("[]", "body: the array holds no events")]
    [InlineData("\"text\"", "body: must be a JSON object or an array")]
    [InlineData("{\"a\":1} {\"b\":2}", "body: not valid JSON")]
    public void Unreadable_bodies_are_refused_whole(string body, string expected)
    {
        var (_, error) = Parse(body);

        Assert.NotNull(error);
        Assert.False(error.TooLarge);
        Assert.StartsWith(expected, $"{error.Field}: {error.Detail}", StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_over_the_limit_is_too_large_and_names_the_limit()
    {
        var body = "[" + string.Join(",", Enumerable.Repeat(Seed, 4)) + "]";
        var (_, error) = Parse(body, limits: new LogLimits { MaxBatchEvents = 3 });

        Assert.NotNull(error);
        Assert.True(error.TooLarge);
        Assert.Contains("MaxBatchEvents", error.Detail);
    }

    [Fact]
    public void An_ndjson_batch_over_the_limit_is_too_large()
    {
        var body = string.Join("\n", Enumerable.Repeat(Seed.ReplaceLineEndings(" "), 4));
        var (_, error) = Parse(body, LogBatchFormat.Ndjson, new LogLimits { MaxBatchEvents = 3 });

        Assert.NotNull(error);
        Assert.True(error.TooLarge);
        Assert.Contains("holds 4 events", error.Detail);
    }

    [Fact]
    public void An_event_over_the_size_limit_is_too_large_and_names_its_index()
    {
        var big = $$"""{"level":"INFO","service":"a","message":"{{new string('x', 2000)}}"}""";
        var (_, error) = Parse($"[{Seed},{big}]", limits: new LogLimits { MaxEventBytes = 1024 });

        Assert.NotNull(error);
        Assert.True(error.TooLarge);
        Assert.Equal("[1]", error.Field);
        Assert.Contains("MaxEventBytes", error.Detail);
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        var (batch, error) = Parse("""{"level":"INFO","level":"ERROR","service":"a","message":"m"}""");

        Assert.True(error is not null || batch.Rejected.Count == 1);
    }

    [Fact]
    public void Nesting_deeper_than_the_parser_allows_is_refused_whole()
    {
        var deep = new string('[', 200) + new string(']', 200);
        var (_, error) = Parse(deep);

        Assert.NotNull(error);
        Assert.StartsWith("not valid JSON", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"level":"INFO","service":"a","message":"X"}""");
        bytes[^3] = 0xC3; // a lead byte with no continuation: not UTF-8
        var error = Parser().Read(bytes, LogBatchFormat.Json, Now, out _);

        Assert.NotNull(error);
    }
}
