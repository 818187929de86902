using System.Globalization;
using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Kafka;

/// <summary>
/// The Kafka message keys of one request's events: its events of one emitting instance (service + host, or the
/// service alone without a host) share a key, so they stay in order on one partition, and each request takes the
/// next of <see cref="Shards"/> shards, so an instance's successive requests spread over the partitions.
/// </summary>
/// <remarks>
/// Keyed by instance alone, a partition carried whole instances: with a dozen busy ones over twelve partitions,
/// some partitions took two or three instances and some none (the hash decides), the persister holding the busy
/// ones did the work of the group while the others idled, and the lag gate, which follows the partition furthest
/// behind, refused most requests while the group as a whole kept up (bench/run.sh at 50,000/s offered, twelve
/// instances: 12,782/s accepted). A request's events still arrive in order; two requests of one instance were
/// never ordered (a shipper's requests may be in flight at once), and the store orders logs by their timestamps.
/// </remarks>
public sealed class PartitionKeys
{
    /// <summary>Shards per instance: many more than partitions, so the hash spreads every instance over all of them.</summary>
    public const int Shards = 64;

    private int _requests;

    /// <summary>The shard the next request takes.</summary>
    public string NextShard() =>
        "#" + ((uint)Interlocked.Increment(ref _requests) % Shards).ToString(CultureInfo.InvariantCulture);

    public static string For(LogEvent logEvent, string shard) =>
        logEvent.Host is { } host
            ? string.Concat(logEvent.Service, "/", host, "/", shard)
            : string.Concat(logEvent.Service, "/", shard);
}
