using System.Globalization;

namespace LogMonitoring.Ingest.Kafka;

/// <summary>One partition of the logs topic as the broker holds it and as the persister group has read it.</summary>
/// <param name="Low">The oldest offset the broker still holds (above 0 once retention has deleted something).</param>
/// <param name="High">The next offset to be written.</param>
/// <param name="Committed">The persister group's committed offset; negative when the group has none.</param>
public readonly record struct PartitionBacklog(int Partition, long Low, long High, long Committed);

/// <summary>
/// Whether the persister group's unread backlog approaches what the broker retains: then accepting more would let
/// retention delete logs nobody has read, so ingest answers 429 until the persisters catch up.
/// </summary>
/// <remarks>
/// With the broker's capacity known (<see cref="RetentionCapacity"/>), the unread bytes of each partition are
/// estimated before anything is deleted: its unread events at the last look times the average size of the events
/// this ingest produced, plus what this ingest had acknowledged on it since that look, so the gate closes between
/// looks too. Without a capacity (a broker that keeps everything by size, or one that could not be asked) the
/// rule falls back to the share of what the broker still holds, which only applies once retention has begun
/// deleting.
/// </remarks>
public sealed class RetentionHeadroom(double maxLagShare, ProducedVolume produced)
{
    /// <summary>
    /// What a record costs in Kafka besides its key and value: the v2 batch format's length, attributes,
    /// timestamp and offset deltas, key and value lengths and header count, all varints of a few bytes each.
    /// </summary>
    public const int RecordOverheadBytes = 20;

    private volatile Look? _look;

    /// <summary>The partitions as last looked at.</summary>
    public IReadOnlyList<PartitionBacklog> Partitions => _look?.Partitions ?? [];

    /// <summary>Why ingest refuses now, or null while there is headroom.</summary>
    public string? Refusal => _look is { } look ? Decide(look) : null;

    /// <summary>Takes the latest look at the topic; <paramref name="capacity"/> is null when not known.</summary>
    public void Update(IReadOnlyList<PartitionBacklog> partitions, RetentionCapacity? capacity) =>
        _look = new Look(partitions, capacity, produced.Snapshot());

    /// <summary>The one partition nearest to losing logs decides.</summary>
    private string? Decide(Look look)
    {
        var eventBytes = produced.AverageEventBytes + RecordOverheadBytes;
        foreach (var p in look.Partitions)
        {
            if (look.Capacity is { } capacity && eventBytes is { } average)
            {
                // A group that has committed nothing on a partition reads it from the oldest offset (auto.offset.reset
                // earliest): a first start, or persisters that never stored a batch, which is when the gate matters most.
                var unread = p.High - Math.Max(p.Committed, p.Low);
                var since = produced.BytesOn(p.Partition) - look.ProducedAtLook.GetValueOrDefault(p.Partition);
                var unreadBytes = (long)(unread * average) + since;
                if (unreadBytes >= maxLagShare * capacity.SafeBytes)
                {
                    var behind = p.Committed < 0
                        ? $"the persisters (group committed nothing yet) have not read about {Mib(unreadBytes)} MiB ({unread} events at the last look) on partition {p.Partition}"
                        : $"the persisters are about {Mib(unreadBytes)} MiB ({unread} events at the last look) behind on partition {p.Partition}";
                    return behind + ", " +
                        $"where the broker keeps {Mib(capacity.SafeBytes)} MiB safe from deletion: past {maxLagShare:P0} of it " +
                        $"({nameof(IngestOptions.MaxLagShareOfRetained)}), more would be deleted unread";
                }
            }
            else if (p.Low > 0 && p.Committed >= 0)
            {
                // Fallback: before retention has deleted anything (Low 0) the share of what it holds says nothing, and
                // without a commit it cannot tell a group that reads the partition from no group at all.
                var retained = p.High - p.Low;
                if (p.High - p.Committed >= maxLagShare * retained)
                {
                    return $"the persisters are {p.High - p.Committed} events behind on partition {p.Partition}, where the broker retains {retained}: " +
                        $"past {maxLagShare:P0} of it ({nameof(IngestOptions.MaxLagShareOfRetained)}), more would be deleted unread";
                }
            }
        }

        return null;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    private sealed record Look(IReadOnlyList<PartitionBacklog> Partitions, RetentionCapacity? Capacity, Dictionary<int, long> ProducedAtLook);
}
