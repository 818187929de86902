using LogMonitoring.Contracts;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// The store's wait for another process's write lock: a try every millisecond (SQLite's own wait sleeps up to
/// 100 ms between tries, leaving the lock idle after its holder let go), and SQLITE_BUSY once the timeout passed.
/// </summary>
public sealed class SqliteLockWaitTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-lockwait-").FullName;

    private string DataSource => Path.Combine(_folder, "logs.db");

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(150)]
    [InlineData(1_000)]
    [InlineData(59_999)]
    public void The_next_try_comes_a_millisecond_later_however_long_the_wait_has_been(int waitedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), SqliteLockWait.NextTry(TimeSpan.FromMilliseconds(waitedMilliseconds), Timeout));
    }

    [Theory]
    [InlineData(60_000)]
    [InlineData(120_000)]
    public void The_wait_ends_once_the_timeout_has_passed(int waitedMilliseconds)
    {
        Assert.Null(SqliteLockWait.NextTry(TimeSpan.FromMilliseconds(waitedMilliseconds), Timeout));
    }

    [Fact]
    public async Task A_write_waits_for_another_process_holding_the_write_lock_and_is_stored_once_it_lets_go()
    {
        var store = new SqliteLogStore($"Data Source={DataSource}");
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        await using var other = await HoldWriteLockAsync();

        var write = Task.Run(() => store.WriteBatchAsync(Events(3), TestContext.Current.CancellationToken));
        await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        Assert.False(write.IsCompleted, "the write went ahead while another connection held the write lock");
        await using (var commit = other.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            await commit.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var written = await write;
        Assert.Equal(3, written.Inserted);
    }

    [Fact]
    public async Task A_write_gives_up_with_SQLITE_BUSY_once_the_connection_strings_timeout_has_passed()
    {
        var store = new SqliteLogStore($"Data Source={DataSource};Default Timeout=1");
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        await using var other = await HoldWriteLockAsync();

        var busy = await Assert.ThrowsAsync<SqliteException>(() => store.WriteBatchAsync(Events(1), TestContext.Current.CancellationToken));

        Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, busy.SqliteErrorCode);
    }

    // Another process's connection, as a second persister replica's: it takes the write lock and keeps it.
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var connection = new SqliteConnection($"Data Source={DataSource};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static List<LogEvent> Events(int count) =>
        Enumerable.Range(0, count).Select(i => new LogEvent
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = DateTime.UtcNow,
            Level = LogEventLevel.Info,
            Service = "api",
            Message = $"event {i}",
        }).ToList();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
