using LogMonitoring.Storage.MongoDb;
using MongoDB.Driver;
using MongoDB.Driver.Core.Compression;

namespace LogMonitoring.Tests.Storage;

/// <summary>The write options the MongoDB store takes from its connection string, and the one it does not (docs/operations.md).</summary>
public sealed class MongoWriteOptionsTests
{
    [Fact]
    public void Wire_compression_is_what_the_connection_string_asks_for_and_off_otherwise()
    {
        Assert.Empty(MongoLogStore.ClientSettings(MongoUrl.Create("mongodb://db-0:27017/logmonitoring")).Compressors);

        var settings = MongoLogStore.ClientSettings(MongoUrl.Create("mongodb://db-0:27017/logmonitoring?compressors=snappy,zstd"));

        Assert.Equal([CompressorType.Snappy, CompressorType.ZStandard], settings.Compressors.Select(c => c.Type));
        Assert.Equal("LogMonitoring", settings.ApplicationName);
    }

    [Fact]
    public void Logs_are_written_with_a_journaled_majority_whatever_the_connection_string_says_and_its_timeout()
    {
        var fromW1 = MongoLogStore.LogsWriteConcern(MongoUrl.Create("mongodb://db-0:27017/logmonitoring?w=1&journal=false"));
        var withTimeout = MongoLogStore.LogsWriteConcern(MongoUrl.Create("mongodb://db-0:27017/logmonitoring?wtimeoutMS=2500"));

        Assert.Equal(WriteConcern.WMajority.With(journal: true, wTimeout: MongoLogStore.DefaultWriteConcernTimeout), fromW1);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), withTimeout.WTimeout);
        Assert.Equal(WriteConcern.WValue.Parse("majority"), withTimeout.W);
    }
}
