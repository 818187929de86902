using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Kafka;

namespace LogMonitoring.Tests.Shippers;

/// <summary>A request's events of one instance keep one key (one partition, in order); the instance's requests spread.</summary>
public sealed class PartitionKeysTests
{
    private static LogEvent Event(string service, string? host) => new()
    {
        Id = LogEventId.ForSource(service, Guid.NewGuid().ToString()),
        Timestamp = DateTime.UtcNow,
        Level = LogEventLevel.Info,
        Service = service,
        Host = host,
        Message = "m",
    };

    [Fact]
    public void The_events_of_one_instance_in_one_request_share_a_key_and_other_instances_get_their_own()
    {
        var shard = new PartitionKeys().NextShard();

        Assert.Equal(PartitionKeys.For(Event("api", "web-1"), shard), PartitionKeys.For(Event("api", "web-1"), shard));
        Assert.Equal(3, new[] { Event("api", "web-1"), Event("api", "web-2"), Event("auth", "web-1") }
            .Select(e => PartitionKeys.For(e, shard)).Distinct().Count());
        Assert.NotEqual(PartitionKeys.For(Event("api", null), shard), PartitionKeys.For(Event("api", "web-1"), shard));
    }

    [Fact]
    public void An_instances_successive_requests_take_every_shard_before_one_comes_again()
    {
        var keys = new PartitionKeys();
        var instance = Event("api", "web-1");

        var first = Enumerable.Range(0, PartitionKeys.Shards).Select(_ => PartitionKeys.For(instance, keys.NextShard())).ToList();

        Assert.Equal(PartitionKeys.Shards, first.Distinct().Count());
        Assert.Equal(first[0], PartitionKeys.For(instance, keys.NextShard()));
    }
}
