using LogMonitoring.Contracts;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.StoreTests;

/// <summary>The search contract on the embedded store with every log in the text index, plus its plans (EXPLAIN QUERY PLAN) and its text index.</summary>
public sealed class SqliteLogSearchTests : SqliteSearchContract
{
    protected override int IndexedLogs => Events.Count;

    public static TheoryData<string, string> PagePlans() => new()
    {
        // Every newest-first page walks an index ending in (ts, id): no sort step, ever.
        { "", "SCAN logs USING INDEX ix_logs_ts_id" },
        { "service:api-service", "SEARCH logs USING INDEX ix_logs_service_ts_id (service=?)" },
        { "level:ERROR", "SEARCH logs USING INDEX ix_logs_level_ts_id (level=?)" },
        { "host:web-1", "SEARCH logs USING INDEX ix_logs_host_ts_id (host=?)" },
        { $"trace_id:{SearchCorpus.Trace}", "SEARCH logs USING INDEX ix_logs_trace_id_ts_id (trace_id=?)" },
        { "user_id:u1", "SEARCH logs USING INDEX ix_logs_meta_user_id_" },
        { "timestamp>=2024-03-01T12:00:00Z", "SEARCH logs USING INDEX ix_logs_ts_id (ts>?)" },
    };

    [Theory]
    [MemberData(nameof(PagePlans))]
    public async Task A_page_is_read_in_index_order_without_sorting(string text, string expected)
    {
        var plan = await Sqlite.ExplainSearchAsync(new LogQuery { Where = string.IsNullOrEmpty(text) ? null : Q(text) }, null, Ct);

        Assert.Contains(plan, step => step.StartsWith(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("service:api-service")]
    [InlineData("level:ERROR")]
    [InlineData("user_id:u1")]
    public async Task A_cursor_page_seeks_to_the_cursor_instead_of_skipping_the_pages_before_it(string text)
    {
        var cursor = new LogCursor(T0.AddSeconds(30), "m");
        var plan = await Sqlite.ExplainSearchAsync(new LogQuery { Where = string.IsNullOrEmpty(text) ? null : Q(text) }, cursor, Ct);

        // "ts<?" in the index step: the scan starts at the cursor, so page 1,000 costs what page 1 costs.
        Assert.Contains(plan, step => step.StartsWith("SEARCH logs USING INDEX", StringComparison.Ordinal) && step.Contains("ts<?", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Text_search_goes_through_the_trigram_index()
    {
        var plan = await Sqlite.ExplainSearchAsync(new LogQuery { Where = Q("timed") }, null, Ct);

        Assert.Contains(plan, step => step.Contains("VIRTUAL TABLE INDEX", StringComparison.Ordinal) && step.Contains("logs_text", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("timed")]
    [InlineData("rolled -stone")]
    [InlineData("NOT timeout OR \"full on\"")]
    public async Task A_common_word_is_checked_along_the_time_index_with_the_same_answers(string text)
    {
        var common = new SqliteLogStore($"Data Source={DataSource}") { Search = Options, CommonTextMatches = 5 };
        var query = new LogQuery { Where = Q(text) };

        var plan = await common.ExplainSearchAsync(query, null, Ct);
        var seen = new List<LogEvent>();
        LogCursor? cursor = null;
        do
        {
            var page = await common.SearchAsync(query, 11, cursor, Ct);
            seen.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Contains(plan, step => step.StartsWith("SCAN logs USING INDEX ix_logs_ts_id", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.Equal((await AllPagesAsync(query, 50)).Select(e => e.Id), seen.Select(e => e.Id));
        Assert.Equal(Events.Count(e => ReferenceSearch.Matches(query.Where, e)), seen.Count);
    }

    [Fact]
    public async Task The_text_index_follows_deletions_in_the_same_transaction()
    {
        var before = await Store.CountAsync(new LogQuery { Where = Q("timed") }, Ct);
        Assert.True(before > 0);

        await using (var connection = new SqliteConnection($"Data Source={DataSource}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM logs WHERE message LIKE '%timed%' OR message LIKE '%TIMED%'";
            await command.ExecuteNonQueryAsync(Ct);
            command.CommandText = "SELECT (SELECT COUNT(*) FROM logs_text) = (SELECT COUNT(*) FROM logs)";
            Assert.Equal(1L, await command.ExecuteScalarAsync(Ct));
        }

        Assert.Equal(0, await Store.CountAsync(new LogQuery { Where = Q("timed") }, Ct));
    }

    [Fact]
    public async Task A_store_created_before_the_text_index_fills_it_on_the_next_start()
    {
        await using (var connection = new SqliteConnection($"Data Source={DataSource}"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER logs_text_delete_indexed; DROP TABLE logs_text; DROP TABLE text_index_state;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await Store.InitializeAsync(Ct);

        Assert.Equal(0, await Sqlite.UnindexedTextAsync(Ct));
        Assert.Equal(Events.Count(e => e.Message.Contains("timed", StringComparison.OrdinalIgnoreCase)), await Store.CountAsync(new LogQuery { Where = Q("timed") }, Ct));
    }

    [Fact]
    public async Task A_query_past_the_timeout_is_stopped_by_SQLite_itself()
    {
        var slow = new SqliteLogStore($"Data Source={DataSource}") { Search = new SearchOptions { QueryTimeout = TimeSpan.FromMilliseconds(1) } };
        await slow.WriteBatchAsync(Enumerable.Range(0, 20_000).Select(i => Events[i % Events.Count] with { Id = $"bulk-{i}" }).ToList(), Ct);

        // Each of 20,000 rows runs five JSON walks: far longer than a millisecond.
        var query = new LogQuery { Where = Q("NOT (tags:zz OR http.status>999 OR nested.ok:false OR user.id:zz OR duration_ms<-1)") };

        await Assert.ThrowsAsync<LogSearchTimeoutException>(() => slow.CountAsync(query, Ct));
        Assert.Equal(20_300, await Store.CountAsync(new LogQuery(), Ct));
    }

    [Fact]
    public void Configured_metadata_indexes_have_distinct_readable_names()
    {
        var a = SqliteLogStore.MetadataIndexName(LogMonitoring.Query.FieldRef.Metadata("a-b"));
        var b = SqliteLogStore.MetadataIndexName(LogMonitoring.Query.FieldRef.Metadata("a_b"));

        Assert.StartsWith("ix_logs_meta_a_b_", a, StringComparison.Ordinal);
        Assert.NotEqual(a, b);
    }
}
