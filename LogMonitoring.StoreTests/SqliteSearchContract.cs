using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using LogMonitoring.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The search contract on the embedded store, with a share of the corpus moved into the text index once it
/// is stored: text queries then ask the index for those logs and check the rest one by one.
/// </summary>
public abstract class SqliteSearchContract : LogSearchContract, IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("logmon-search-").FullName;

    protected string DataSource => Path.Combine(_folder, "logs.db");

    protected SqliteLogStore Sqlite => (SqliteLogStore)Store;

    /// <summary>How many of the corpus's logs one indexing cycle takes after the corpus is stored.</summary>
    protected abstract int IndexedLogs { get; }

    protected override Task<ILogStore> CreateStoreAsync(SearchOptions search) =>
        Task.FromResult<ILogStore>(new SqliteLogStore($"Data Source={DataSource}") { Search = search, TextIndexBatchSize = Math.Max(1, IndexedLogs) });

    // Runs after the contract has stored the corpus (this class implements IAsyncLifetime again for that).
    public new async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        if (IndexedLogs > 0)
        {
            Assert.Equal(IndexedLogs, (await Sqlite.IndexTextAsync(Ct)).LogsIndexed);
        }
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The search contract with half the corpus in the text index and half checked one by one.</summary>
public sealed class SqlitePartlyIndexedLogSearchTests : SqliteSearchContract
{
    protected override int IndexedLogs => Events.Count / 2;
}

/// <summary>The search contract with nothing in the text index yet: every log is as new as it can be.</summary>
public sealed class SqliteUnindexedLogSearchTests : SqliteSearchContract
{
    protected override int IndexedLogs => 0;
}
