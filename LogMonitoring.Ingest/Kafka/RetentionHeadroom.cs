namespace LogMonitoring.Ingest.Kafka;

/// <summary>One partition of the logs topic as the broker holds it and as the persister group has read it.</summary>
/// <param name="Low">The oldest offset the broker still holds (above 0 once retention has deleted something).</param>
/// <param name="High">The next offset to be written.</param>
/// <param name="Committed">The persister group's committed offset; negative when the group has none.</param>
public readonly record struct PartitionBacklog(int Partition, long Low, long High, long Committed);

/// <summary>
/// Whether the persister group's lag approaches what the broker retains: then accepting more would let
/// retention delete logs nobody has read, so ingest answers 429 until the persisters catch up.
/// </summary>
public sealed class RetentionHeadroom(double maxLagShare)
{
    private volatile string? _refusal;

    /// <summary>Why ingest refuses now, or null while there is headroom.</summary>
    public string? Refusal => _refusal;

    /// <summary>Decides from the latest look at the topic; the one partition nearest to losing logs decides.</summary>
    public void Update(IEnumerable<PartitionBacklog> partitions)
    {
        string? refusal = null;
        foreach (var p in partitions)
        {
            // Before retention has deleted anything (Low 0) nothing unread is at risk yet; a partition the group
            // never committed is not one it reads.
            if (p.Low <= 0 || p.Committed < 0)
            {
                continue;
            }

            var retained = p.High - p.Low;
            var unread = p.High - p.Committed;
            if (unread >= maxLagShare * retained)
            {
                refusal = $"the persisters are {unread} events behind on partition {p.Partition}, where the broker retains {retained}: " +
                    $"past {maxLagShare:P0} of it ({nameof(IngestOptions.MaxLagShareOfRetained)}), more would be deleted unread";
                break;
            }
        }

        _refusal = refusal;
    }
}
