using LogMonitoring.LoadGen.Storage;
using LogMonitoring.Storage;

namespace LogMonitoring.Tests.LoadGen;

/// <summary><c>loadgen store</c> on the store a connection string names: every event written once, never into a store that holds logs.</summary>
public sealed class StoreCeilingTests
{
    [Fact]
    public async Task Parallel_writers_store_every_event_once_and_a_store_holding_logs_is_refused()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("store-ceiling-").FullName, "logs.db");
        var connection = $"Data Source={file}";

        var summary = await new StoreCeiling(connection, 300, batchSize: 70, writers: 3).RunAsync(500, TestContext.Current.CancellationToken);

        Assert.Equal(("sqlite", 3, 500L), (summary.Store, summary.Writers, summary.Inserted));
        Assert.Equal(500, await LogStoreExtensions.Create(connection).CountAsync(new LogQuery(), TestContext.Current.CancellationToken));
        var refused = await Assert.ThrowsAsync<StoreNotEmptyException>(() => new StoreCeiling(connection, 300, 70).RunAsync(10, TestContext.Current.CancellationToken));
        Assert.Contains("500 logs", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_MongoDB_store_is_named_by_its_servers_database_and_compressors_without_its_credentials()
    {
        var name = StoreCeiling.Describe("mongodb://bench:s3cret@db-0:27017,db-1:27017/logmon_bench?replicaSet=rs0&compressors=snappy,zstd");

        Assert.Equal("mongodb://db-0:27017,db-1:27017/logmon_bench?compressors=Snappy,ZStandard", name);
    }
}
