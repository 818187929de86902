using LogMonitoring.Query;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Tests.Storage;

/// <summary>The SQL each query compiles to: user text only ever travels as parameters.</summary>
public sealed class SqliteFilterRenderTests
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    private static (string Sql, SqliteParameterCollection Parameters) Compile(string query, params string[] indexed)
    {
        using var command = new SqliteCommand();
        var paths = indexed.ToDictionary(f => FieldRef.Parse(f.Split('.')), f => $"'{SqliteFilter.JsonPath(FieldRef.Parse(f.Split('.')))}'");
        var where = SqliteFilter.WhereClause(SqliteFilter.Conditions(command, new LogQuery { Where = QueryParser.ParseValid(query, Now) }, paths));
        return (where, command.Parameters);
    }

    [Theory]
    [InlineData("' OR 1=1 --")]
    [InlineData("\"'); DROP TABLE logs; --\"")]
    [InlineData("service:\"x' OR '1'='1\"")]
    [InlineData("user_id:\"$.a') OR 1=1 --\"")]
    [InlineData("host:web-*")]
    [InlineData("duration_ms>\"9 OR 1=1\"")]
    public void User_text_never_reaches_the_SQL(string query)
    {
        var (sql, parameters) = Compile(query);

        Assert.DoesNotContain("OR 1=1", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("DROP", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("web-", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("'1'", sql, StringComparison.Ordinal);
        Assert.NotEmpty(parameters);
    }

    [Fact]
    public void The_examples_compile_to_indexable_conditions()
    {
        Assert.Equal(" WHERE service = $q0 AND (json_extract(metadata, '$.\"user_id\"') IN ($q1) AND json_type(metadata, '$.\"user_id\"') NOT IN ('true', 'false', 'object', 'array'))",
            Compile("service:api-service AND user_id:u1", "user_id").Sql);
        Assert.Equal(" WHERE trace_id = $q0", Compile("trace_id:4bf92f3577b34da6a3ce929d0e0e4736").Sql);
        Assert.Equal(" WHERE level IN ($q0, $q1) AND (host = $q2 OR host = $q3)", Compile("level:ERROR,FATAL AND (host:web-1 OR host:web-2)").Sql);
        Assert.StartsWith(" WHERE EXISTS (SELECT 1 FROM json_each(logs.metadata, $q", Compile("duration_ms>500").Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_uses_the_trigram_table_with_a_quoted_phrase_and_short_needles_the_fold_function()
    {
        var (sql, parameters) = Compile("\"Timed \\\"OUT\\\"\"");
        // The index up to its watermark, and the logs stored since checked one by one with the same fold.
        Assert.Equal(" WHERE seq IN (SELECT rowid FROM logs_text WHERE logs_text MATCH $q0 UNION ALL SELECT unindexed.seq FROM logs AS unindexed"
            + " WHERE unindexed.seq > (SELECT watermark FROM text_index_state WHERE name = 'logs') AND instr(logmon_fold(unindexed.message), $q1) > 0)", sql);
        Assert.Equal("\"timed \"\"out\"\"\"", parameters["$q0"].Value);
        Assert.Equal("timed \"out\"", parameters["$q1"].Value);

        var (shortSql, shortParameters) = Compile("Ab");
        Assert.Equal(" WHERE instr(logmon_fold(message), $q0) > 0", shortSql);
        Assert.Equal("ab", shortParameters["$q0"].Value);
    }

    [Fact]
    public void Negation_is_two_valued_so_a_missing_field_matches_it() =>
        Assert.Equal(" WHERE NOT coalesce(host = $q0, 0)", Compile("NOT host:web-1").Sql);
}
