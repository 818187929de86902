using Confluent.Kafka;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// Offsets of batches already stored whose commit failed, to be committed again. A commit fails during a
/// cooperative rebalance (the member keeps its partitions, but the coordinator answers "rebalance in
/// progress" or "generation not valid"); without a retry, a member that has nothing new to read never
/// commits again, and its partitions look behind by everything it stored since its last commit: to the lag
/// gate in ingest, to autoscaling on lag, and to the next owner, which reads it all again.
/// </summary>
public sealed class UncommittedOffsets
{
    private readonly Dictionary<TopicPartition, Offset> _offsets = [];

    public int Count => _offsets.Count;

    /// <summary>Keeps the furthest offset per partition: a later batch's offset covers an earlier one's.</summary>
    public void Add(IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (var o in offsets)
        {
            if (!_offsets.TryGetValue(o.TopicPartition, out var kept) || kept.Value < o.Offset.Value)
            {
                _offsets[o.TopicPartition] = o.Offset;
            }
        }
    }

    /// <summary>A commit that succeeded settles every kept offset it reaches; a kept offset is never committed after a later one.</summary>
    public void Committed(IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (var o in offsets)
        {
            if (_offsets.TryGetValue(o.TopicPartition, out var kept) && kept.Value <= o.Offset.Value)
            {
                _offsets.Remove(o.TopicPartition);
            }
        }
    }

    /// <summary>What to commit again: only partitions this member still holds, since their new owner commits the others.</summary>
    public List<TopicPartitionOffset> For(IEnumerable<TopicPartition> assignment) =>
        assignment.Where(_offsets.ContainsKey).Select(p => new TopicPartitionOffset(p, _offsets[p])).ToList();

    /// <summary>Partitions revoked or lost: their next owner reads from the last offset that was committed.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var p in partitions)
        {
            _offsets.Remove(p);
        }
    }
}
