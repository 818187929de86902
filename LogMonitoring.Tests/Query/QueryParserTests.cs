using LogMonitoring.Query;

namespace LogMonitoring.Tests.Query;

/// <summary>The query language as users write it: the issue's examples, each operator, and errors that name the column.</summary>
public sealed class QueryParserTests
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    private static string Parse(string text)
    {
        var result = QueryParser.Parse(text, Now);
        return result.Success ? QueryText.Show(result.Query) : "error " + result.Error;
    }

    [Theory]
    [InlineData("service:api-service AND user_id:u1", "(service=api-service AND user_id=u1)")]
    [InlineData("trace_id:4bf92f3577b34da6a3ce929d0e0e4736", "trace_id=4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("\"timed out\" AND NOT level:INFO", "(text[timed out] AND NOT level=INFO)")]
    [InlineData("duration_ms>500", "duration_ms>#500")]
    [InlineData("level:ERROR,FATAL AND (host:web-1 OR host:web-2)", "(level=ERROR|FATAL AND (host=web-1 OR host=web-2))")]
    public void The_examples_of_the_issue_read_as_a_reader_expects(string query, string expected) =>
        Assert.Equal(expected, Parse(query));

    [Theory]
    [InlineData("timeout", "text[timeout]")]
    [InlineData("connection refused", "(text[connection] AND text[refused])")]
    [InlineData("a OR b c", "(text[a] OR (text[b] AND text[c]))")]
    [InlineData("(a OR b) c", "((text[a] OR text[b]) AND text[c])")]
    [InlineData("-level:DEBUG", "NOT level=DEBUG")]
    [InlineData("NOT NOT a", "text[a]")]
    [InlineData("host!=web-1,web-2", "NOT host=web-1|web-2")]
    [InlineData("duration_ms > 500", "duration_ms>#500")]
    [InlineData("duration_ms:>=0.5", "duration_ms>=#0.5")]
    [InlineData("level>=warning", "level>=WARN")]
    [InlineData("trace_id:*", "trace_id?")]
    [InlineData("NOT user.id:*", "NOT user.id?")]
    [InlineData("host:web-*", "host^web-")]
    [InlineData("metadata.http.status:500", "http.status=#500")]
    [InlineData("http.status:\"500\"", "http.status=500")]
    [InlineData("flag:true", "flag=?True")]
    [InlineData("message:\"disk full\"", "text[disk full]")]
    [InlineData("timestamp>=now-1h", "timestamp>=2026-01-15T11:00:00.0000000Z")]
    [InlineData("timestamp<2026-01-15T10:00:00Z", "timestamp<2026-01-15T10:00:00.0000000Z")]
    [InlineData("\"say \\\"hi\\\" \\\\o/\"", "text[say \"hi\" \\o/]")]
    [InlineData("\"AND\" ORDER NOTE", "(text[AND] AND text[ORDER] AND text[NOTE])")]
    [InlineData("50% a_b [a-z]+ .*", "(text[50%] AND text[a_b] AND text[[a-z]+] AND text[.*])")]
    [InlineData("  ", "ALL")]
    [InlineData("", "ALL")]
    public void Each_operator_has_its_meaning(string query, string expected) =>
        Assert.Equal(expected, Parse(query));

    [Theory]
    [InlineData("level:ERROR AND (host:a", 24, "expected closing parenthesis")]
    [InlineData("a)", 2, "unexpected `)`")]
    [InlineData("\"timed out", 11, "expected closing quote")]
    [InlineData("level:LOUD", 7, "'LOUD' is not a level")]
    [InlineData("service:", 9, "expected a value")]
    [InlineData("a AND", 6, "unexpected end of input")]
    [InlineData("a OR OR b", 6, "a term (AND, OR and NOT are operators")]
    [InlineData("user..id:1", 1, "is not a field name")]
    [InlineData("timestamp>soon", 11, "timestamp '")]
    [InlineData("level:ERR*", 7, "not a prefix")]
    [InlineData("host:w*b*", 6, "only a trailing *")]
    [InlineData("message<x", 1, "message is searched for text")]
    [InlineData("\"\"", 1, "empty phrase")]
    [InlineData("a\u0001", 2, "control character U+0001")]
    public void A_query_that_cannot_be_read_names_the_column_and_what_was_expected(string query, int column, string expected)
    {
        var result = QueryParser.Parse(query, Now);

        Assert.False(result.Success);
        Assert.Equal(column, result.Error!.Column);
        Assert.Contains(expected, result.Error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"column {column}: ", result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_refuse_long_deep_and_wide_queries_before_any_store_sees_them()
    {
        Assert.Contains("over the limit of 4096", QueryParser.Parse(new string('a', 4097), Now).Error!.Message, StringComparison.Ordinal);
        Assert.Equal(33, QueryParser.Parse(new string('(', 100) + "a" + new string(')', 100), Now).Error!.Column);
        Assert.Contains("more than 128 terms", QueryParser.Parse(string.Join(' ', Enumerable.Range(0, 129).Select(i => $"w{i}")), Now).Error!.Message, StringComparison.Ordinal);
        // Negations are counted, not recursed on: thousands of them are fine.
        Assert.Equal("text[a]", Parse(string.Concat(Enumerable.Repeat("NOT ", 1000)) + "a"));
        Assert.True(QueryParser.Parse(new string('(', 32) + "a" + new string(')', 32), Now).Success);
    }

    [Theory]
    [InlineData("$where:1", "text[$where:1]")]
    [InlineData("metadata.$gt:1", "text[metadata.$gt:1]")]
    [InlineData("a.b c:d", "(text[a.b] AND c=d)")]
    public void Nothing_that_looks_like_an_operator_becomes_a_field(string query, string expected) =>
        Assert.Equal(expected, Parse(query));
}
