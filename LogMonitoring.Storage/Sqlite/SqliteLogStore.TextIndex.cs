using System.Globalization;
using LogMonitoring.Storage.Search;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// The text index, off the write path. Indexed by an insert trigger, a message cost three times what storing
/// its row does; one INSERT … SELECT over many logs costs a sixth of that per log (docs/benchmarks.md), so
/// logs are inserted without it and a cycle
/// (<see cref="IndexTextAsync"/>) adds the logs above the watermark in <c>text_index_state</c> to the FTS5
/// table, in one IMMEDIATE transaction that also moves the watermark: SQLite's write lock makes cycles from
/// several processes take turns, and each reads the watermark the last one left, so no log is indexed twice.
/// A text query asks the index for the logs at or below the watermark and checks the folded message of each
/// log above it, with the watermark read in the same statement, so a log is found the moment it is stored.
/// </summary>
public sealed partial class SqliteLogStore : ITextIndexer
{
    private const string TextIndexStateTable = SqliteFilter.TextIndexState;

    /// <summary>
    /// The most logs one cycle indexes. The persisters wait for the write lock while a cycle holds it (about
    /// 13 CPU µs a log); smaller cycles cost a little more per log (5,000: about 15 µs).
    /// </summary>
    public int TextIndexBatchSize { get; init; } = 50_000;

    /// <summary>
    /// Contentless (the text lives in logs), trigram, case-sensitive: the text is folded before it gets here,
    /// so a phrase match is exactly "the folded message contains the folded needle", as <c>instr</c> on the
    /// folded message is. A new table is filled from the logs already stored and its watermark set to the
    /// newest; a table from the versions that filled it with an insert trigger loses the trigger, and its
    /// watermark starts at the newest log, which the trigger indexed. Deleting a log deletes its index row
    /// in the same transaction, when it has one (a log not yet indexed has nothing to delete).
    /// </summary>
    private static string TextIndexSchema(bool textTableExists) => $"""

        CREATE TABLE IF NOT EXISTS {TextIndexStateTable} (
            name TEXT PRIMARY KEY, watermark INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        DROP TRIGGER IF EXISTS logs_text_insert;
        DROP TRIGGER IF EXISTS logs_text_delete;
        """ + (textTableExists
        ? $"""

            INSERT OR IGNORE INTO {TextIndexStateTable} (name, watermark, updated_at) VALUES ('logs', (SELECT COALESCE(MAX(seq), 0) FROM logs), $now);
            """
        : $"""

            CREATE VIRTUAL TABLE {SqliteFilter.TextTable} USING fts5(message, content='', contentless_delete=1, tokenize='trigram case_sensitive 1');
            INSERT INTO {SqliteFilter.TextTable} (rowid, message) SELECT seq, {SqliteFilter.FoldFunction}(message) FROM logs;
            INSERT INTO {TextIndexStateTable} (name, watermark, updated_at) VALUES ('logs', (SELECT COALESCE(MAX(seq), 0) FROM logs), $now)
                ON CONFLICT (name) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at;
            """) + $"""

        CREATE TRIGGER IF NOT EXISTS logs_text_delete_indexed AFTER DELETE ON logs
        WHEN old.seq <= (SELECT watermark FROM {TextIndexStateTable} WHERE name = 'logs') BEGIN
            DELETE FROM {SqliteFilter.TextTable} WHERE rowid = old.seq;
        END;
        """;

    public async Task<TextIndexCycle> IndexTextAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // A plain read first: an idle cycle must not take the write lock the persisters need.
        await using (var peek = connection.CreateCommand())
        {
            peek.CommandText = $"SELECT (SELECT COALESCE(MAX(seq), 0) FROM logs) > (SELECT watermark FROM {TextIndexStateTable} WHERE name = 'logs')";
            if (Convert.ToInt64(await peek.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
            {
                return new TextIndexCycle(0, CaughtUp: true);
            }
        }

        await using var transaction = connection.BeginTransaction(deferred: false);
        var watermark = await ScalarAsync(connection, transaction, $"SELECT watermark FROM {TextIndexStateTable} WHERE name = 'logs'", cancellationToken);
        var newest = await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(seq), 0) FROM logs", cancellationToken);
        if (newest <= watermark)
        {
            await transaction.CommitAsync(cancellationToken);
            return new TextIndexCycle(0, CaughtUp: true);
        }

        // seq is never reused and grows in commit order: nothing can appear at or below upTo after this.
        var upTo = Math.Min(newest, watermark + TextIndexBatchSize);
        long indexed;
        await using (var fill = connection.CreateCommand())
        {
            fill.Transaction = transaction;
            fill.CommandText = $"""
                INSERT INTO {SqliteFilter.TextTable} (rowid, message)
                SELECT seq, {SqliteFilter.FoldFunction}(message) FROM logs WHERE seq > $from AND seq <= $to
                """;
            fill.Parameters.AddWithValue("$from", watermark);
            fill.Parameters.AddWithValue("$to", upTo);
            indexed = await fill.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var advance = connection.CreateCommand())
        {
            advance.Transaction = transaction;
            advance.CommandText = $"UPDATE {TextIndexStateTable} SET watermark = $to, updated_at = $now WHERE name = 'logs'";
            advance.Parameters.AddWithValue("$to", upTo);
            advance.Parameters.AddWithValue("$now", Clock.GetUtcNow().UtcDateTime.Ticks);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        // seq counts every log stored above the watermark; retention may have deleted some since.
        return new TextIndexCycle(indexed, CaughtUp: upTo == newest, LogsBehind: newest - upTo);
    }

    public async Task<TextIndexBacklog> ReadTextBacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The newest log by seq is one step down the rowid tree: cheap enough to ask before every cycle.
        command.CommandText = $"""
            SELECT seq - (SELECT watermark FROM {TextIndexStateTable} WHERE name = 'logs'), received_at, stored_at
            FROM logs ORDER BY seq DESC LIMIT 1
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return TextIndexBacklog.None;
        }

        return new TextIndexBacklog(
            Math.Max(0, reader.GetInt64(0)),
            reader.IsDBNull(1) ? null : new DateTime(reader.GetInt64(1), DateTimeKind.Utc),
            new DateTime(reader.GetInt64(2), DateTimeKind.Utc));
    }

    /// <summary>How many stored logs are above the text index's watermark (checked one by one by text queries).</summary>
    internal async Task<long> UnindexedTextAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM logs WHERE seq > (SELECT watermark FROM {TextIndexStateTable} WHERE name = 'logs')";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
