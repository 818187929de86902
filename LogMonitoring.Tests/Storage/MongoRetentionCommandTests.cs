using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Statistics;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// A retention change reaches MongoDB on the next start as a <c>collMod</c> of the TTL index, not as a second
/// index creation (which MongoDB refuses with IndexOptionsConflict). The server side runs in the store contract suite.
/// </summary>
public sealed class MongoRetentionCommandTests
{
    [Fact]
    public void The_TTL_change_is_a_collMod_of_the_named_index_in_seconds()
    {
        var command = MongoLogStore.TtlChange(StatsInterval.OneMinute.CollectionName(), MongoLogStore.StatsTtlIndex, TimeSpan.FromDays(3));

        Assert.Equal(
            """{ "collMod" : "logs_minute_stats", "index" : { "name" : "bucket_ttl", "expireAfterSeconds" : 259200 } }""",
            command.ToString());
    }
}
