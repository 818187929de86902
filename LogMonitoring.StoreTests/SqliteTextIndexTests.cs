using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using LogMonitoring.Storage.Statistics;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The embedded store's text index, filled behind the writes: a log is found by text before and after it is
/// indexed, in a store upgraded from the versions that indexed with a trigger, and after retention deletes.
/// </summary>
public sealed class SqliteTextIndexTests : IAsyncDisposable
{
    private static readonly string[] Needles = ["timed", "\"timed out\" AND NOT level:INFO", "kelvin", "σίσυφος", "straße", "rolled -stone", "NOT timeout OR \"full on\"", "ab"];

    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-text-").FullName;
    private readonly List<LogEvent> _events = SearchCorpus.Events();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "logs.db")}";

    private SqliteLogStore NewStore(int batchSize = 50_000) => new(ConnectionString) { TextIndexBatchSize = batchSize };

    private static LogQuery Q(string text) => new() { Where = QueryParser.ParseValid(text, SearchCorpus.T0.AddHours(1)) };

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_log_is_found_by_text_the_moment_it_is_stored_and_after_it_is_indexed()
    {
        var store = NewStore();
        await store.InitializeAsync(Ct);
        var log = _events[0] with { Id = "fresh-1", Message = "Zeppelin landed at dawn" };
        await store.WriteBatchAsync([log], Ct);

        Assert.Equal(1, await store.UnindexedTextAsync(Ct));
        Assert.Equal(["fresh-1"], (await store.SearchAsync(Q("zeppelin"), 10, null, Ct)).Items.Select(e => e.Id));
        Assert.Equal(0, await IndexRowsAsync());

        Assert.Equal(new TextIndexCycle(1, CaughtUp: true), await store.IndexTextAsync(Ct));

        Assert.Equal(0, await store.UnindexedTextAsync(Ct));
        Assert.Equal(1, await IndexRowsAsync());
        Assert.Equal(["fresh-1"], (await store.SearchAsync(Q("zeppelin"), 10, null, Ct)).Items.Select(e => e.Id));
        Assert.Equal(new TextIndexCycle(0, CaughtUp: true), await store.IndexTextAsync(Ct));
    }

    [Fact]
    public async Task Cycles_index_in_batches_up_to_the_newest_log_with_the_same_answers_at_every_step()
    {
        var store = NewStore(batchSize: 70);
        await store.InitializeAsync(Ct);
        await store.WriteBatchAsync(_events, Ct);

        var cycles = 0;
        TextIndexCycle cycle;
        do
        {
            await AssertSameAnswersAsync(store, _events);
            cycle = await store.IndexTextAsync(Ct);
            cycles++;
            Assert.Equal(Math.Max(0, _events.Count - (70 * cycles)), cycle.LogsBehind);
        }
        while (!cycle.CaughtUp);

        Assert.Equal((_events.Count + 69) / 70, cycles);
        Assert.Equal(_events.Count, await IndexRowsAsync());
        await AssertSameAnswersAsync(store, _events);
    }

    [Fact]
    public async Task Replicas_indexing_at_once_index_each_log_exactly_once()
    {
        await NewStore().InitializeAsync(Ct);
        await NewStore().WriteBatchAsync(_events, Ct);

        var replicas = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var store = NewStore(batchSize: 7);
            long indexed = 0;
            TextIndexCycle cycle;
            do
            {
                cycle = await store.IndexTextAsync(Ct);
                indexed += cycle.LogsIndexed;
            }
            while (!cycle.CaughtUp);

            return indexed;
        }, Ct)).ToList();

        Assert.Equal(_events.Count, (await Task.WhenAll(replicas)).Sum());
        Assert.Equal(_events.Count, await IndexRowsAsync());
        await AssertSameAnswersAsync(NewStore(), _events);
    }

    [Fact]
    public async Task A_store_whose_index_was_kept_by_a_trigger_is_upgraded_without_indexing_anything_twice()
    {
        // The schema of the versions that indexed each log in its insert's transaction.
        var old = NewStore();
        await old.InitializeAsync(Ct);
        await ExecuteAsync("""
            DROP TRIGGER logs_text_delete_indexed;
            DROP TABLE text_index_state;
            CREATE TRIGGER logs_text_insert AFTER INSERT ON logs BEGIN
                INSERT INTO logs_text (rowid, message) VALUES (new.seq, logmon_fold(new.message));
            END;
            CREATE TRIGGER logs_text_delete AFTER DELETE ON logs BEGIN
                DELETE FROM logs_text WHERE rowid = old.seq;
            END;
            """);
        var stored = _events.Take(200).ToList();
        await old.WriteBatchAsync(stored, Ct);
        Assert.Equal(stored.Count, await IndexRowsAsync());

        var store = NewStore();
        await store.InitializeAsync(Ct);

        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('logs_text_insert', 'logs_text_delete')"));
        Assert.Equal(0, await store.UnindexedTextAsync(Ct));
        await AssertSameAnswersAsync(store, stored);

        // Logs stored since are found before and after they are indexed; the upgraded ones are not indexed again.
        await store.WriteBatchAsync(_events.Skip(200).ToList(), Ct);
        Assert.Equal(stored.Count, await IndexRowsAsync());
        await AssertSameAnswersAsync(store, _events);
        Assert.Equal(new TextIndexCycle(_events.Count - stored.Count, CaughtUp: true), await store.IndexTextAsync(Ct));
        Assert.Equal(_events.Count, await IndexRowsAsync());
        await AssertSameAnswersAsync(store, _events);

        // Starting again changes nothing.
        await NewStore().InitializeAsync(Ct);
        Assert.Equal(_events.Count, await IndexRowsAsync());
        Assert.Equal(0, await store.UnindexedTextAsync(Ct));
    }

    [Fact]
    public async Task Retention_deletes_leave_the_index_holding_exactly_the_indexed_logs_that_remain()
    {
        var store = NewStore(batchSize: _events.Count / 2);
        await store.InitializeAsync(Ct);
        await store.WriteBatchAsync(_events, Ct);
        // Retention deletes only logs the rollups have counted.
        Assert.True((await store.RollUpAsync("text-index-test", Ct)).CaughtUp);

        // Half the logs are indexed when retention deletes the DEBUG ones, from both halves.
        await store.IndexTextAsync(Ct);
        var retention = new RetentionOptions { LevelDays = new(StringComparer.OrdinalIgnoreCase) { ["DEBUG"] = 1 } };
        var deleted = (await store.ApplyRetentionAsync(retention, SearchCorpus.T0.AddDays(2), Ct)).LogsDeleted;
        var remaining = _events.Where(e => e.Level != LogEventLevel.Debug).ToList();

        Assert.Equal(_events.Count - remaining.Count, deleted);
        Assert.True(deleted > 0);
        Assert.Equal(await ScalarAsync("SELECT COUNT(*) FROM logs WHERE seq <= (SELECT watermark FROM text_index_state)"), await IndexRowsAsync());
        await AssertSameAnswersAsync(store, remaining);

        Assert.True((await store.IndexTextAsync(Ct)).CaughtUp);
        Assert.Equal(remaining.Count, await IndexRowsAsync());
        await AssertSameAnswersAsync(store, remaining);
    }

    /// <summary>Each text query's count and pages equal the brute force over <paramref name="stored"/>.</summary>
    private static async Task AssertSameAnswersAsync(SqliteLogStore store, IReadOnlyList<LogEvent> stored)
    {
        foreach (var text in Needles)
        {
            var query = Q(text);
            var expected = stored.Where(e => ReferenceSearch.Matches(query.Where, e))
                .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal)
                .Select(e => e.Id).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Count, await store.CountAsync(query, Ct));

            var seen = new List<string>();
            LogCursor? cursor = null;
            do
            {
                var page = await store.SearchAsync(query, 17, cursor, Ct);
                seen.AddRange(page.Items.Select(e => e.Id));
                cursor = page.Next;
            }
            while (cursor is not null);

            Assert.Equal(expected, seen);
        }
    }

    /// <summary>Rows in the FTS5 table.</summary>
    private Task<long> IndexRowsAsync() => ScalarAsync("SELECT COUNT(*) FROM logs_text");

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
