using Confluent.Kafka;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// Notices messages the persister never saw. The logs topic is written without transactions, so its
/// offsets are contiguous: a jump between consecutive offsets (or from the committed offset to the
/// first message read) means Kafka dropped those messages before we reached them, typically because
/// retention deleted them while the group lagged behind.
/// </summary>
public sealed class OffsetGapDetector
{
    private readonly Dictionary<TopicPartition, long> _expected = [];

    /// <summary>Records where reading resumes; an unset offset means nothing was committed yet.</summary>
    public void Assigned(TopicPartition partition, Offset committed)
    {
        if (committed.Value >= 0)
        {
            _expected[partition] = committed.Value;
        }
        else
        {
            _expected.Remove(partition);
        }
    }

    public void Revoked(TopicPartition partition) => _expected.Remove(partition);

    /// <summary>Returns how many messages were skipped before this one (0 when none).</summary>
    public long Observe(TopicPartition partition, long offset)
    {
        var gap = _expected.TryGetValue(partition, out var expected) && offset > expected ? offset - expected : 0;
        _expected[partition] = offset + 1;
        return gap;
    }
}
