using LogMonitoring.Explorer.Search;
using LogMonitoring.Query;

namespace LogMonitoring.Tests.Explorer;

/// <summary>A value clicked in the explorer's detail pane reads back, through the real parser, as exactly that value.</summary>
public sealed class QueryClausesTests
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("u1", "user_id:u1")]
    [InlineData("web-1", "user_id:web-1")]
    [InlineData("timed out", "user_id:\"timed out\"")]
    [InlineData("say \"hi\" \\o/", "user_id:\"say \\\"hi\\\" \\\\o/\"")]
    [InlineData("AND", "user_id:\"AND\"")]
    [InlineData("web-*", "user_id:\"web-*\"")]
    [InlineData("a,b", "user_id:\"a,b\"")]
    [InlineData("url:https://x", "user_id:\"url:https://x\"")]
    [InlineData("(x)", "user_id:\"(x)\"")]
    [InlineData("σίσυφος", "user_id:\"σίσυφος\"")]
    [InlineData("", "user_id:\"\"")]
    public void A_text_value_is_written_so_it_reads_back_as_itself(string value, string expected)
    {
        var clause = QueryClauses.Clause("user_id", value);

        Assert.Equal(expected, clause);
        var equals = Assert.IsType<FieldEquals>(QueryParser.ParseValid(clause, Now));
        Assert.Equal(["user_id"], equals.Field.Path);
        Assert.Equal(value, Assert.Single(equals.Values).Text);
    }

    [Fact]
    public void A_number_stays_bare_so_it_compares_as_a_number()
    {
        var equals = Assert.IsType<FieldEquals>(QueryParser.ParseValid(QueryClauses.Clause("http.status", "500", number: true), Now));
        Assert.True(Assert.Single(equals.Values).IsNumber);
    }

    [Fact]
    public void A_negation_excludes_the_value()
    {
        var not = Assert.IsType<Not>(QueryParser.ParseValid(QueryClauses.Clause("host", "web 1", negate: true), Now));
        Assert.Equal("web 1", Assert.Single(Assert.IsType<FieldEquals>(not.Term).Values).Text);
    }

    [Theory]
    [InlineData("", "level:ERROR", "level:ERROR")]
    [InlineData("timeout", "level:ERROR", "timeout AND level:ERROR")]
    [InlineData("a OR b", "level:ERROR", "(a OR b) AND level:ERROR")]
    public void A_clause_is_anded_onto_the_whole_query(string query, string clause, string expected) =>
        Assert.Equal(expected, QueryClauses.And(query, clause));

    [Fact]
    public void Anding_onto_an_or_query_narrows_every_branch()
    {
        var and = Assert.IsType<AllOf>(QueryParser.ParseValid(QueryClauses.And("a OR b", "level:ERROR"), Now));
        Assert.IsType<AnyOf>(and.Terms[0]);
    }

    [Theory]
    [InlineData(new[] { "user_id" }, "user_id")]
    [InlineData(new[] { "http", "status" }, "http.status")]
    [InlineData(new[] { "service" }, "metadata.service")]
    [InlineData(new[] { "level", "name" }, "metadata.level.name")]
    [InlineData(new[] { "9lives" }, "metadata.9lives")]
    [InlineData(new[] { "user id" }, null)]
    [InlineData(new[] { "a.b" }, null)]
    public void Metadata_keys_become_the_languages_field_names(string[] keys, string? expected) =>
        Assert.Equal(expected, QueryClauses.MetadataField(keys));

    [Fact]
    public void A_metadata_key_named_like_a_log_field_is_read_as_metadata()
    {
        var equals = Assert.IsType<FieldEquals>(QueryParser.ParseValid(QueryClauses.Clause(QueryClauses.MetadataField(["service"])!, "x"), Now));
        Assert.Equal(LogField.Metadata, equals.Field.Field);
        Assert.Equal(["service"], equals.Field.Path);
    }
}
