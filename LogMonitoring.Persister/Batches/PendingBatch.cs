using System.Diagnostics;
using Confluent.Kafka;

namespace LogMonitoring.Persister.Batches;

/// <summary>
/// The messages read and not yet committed, with the offsets to commit once they are written, and which of
/// them are already in the dead-letter topic, so a retried batch never dead-letters a message twice.
/// </summary>
public sealed class PendingBatch
{
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _messages = [];
    private readonly HashSet<(string Topic, int Partition, long Offset)> _deadLettered = [];
    private long _startedAt;

    public int Count => _messages.Count;

    public IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> Messages => _messages;

    /// <summary>How long the oldest message has waited; zero when the batch is empty.</summary>
    public TimeSpan Age => _messages.Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_startedAt);

    public void Add(ConsumeResult<byte[]?, byte[]?> message)
    {
        if (_messages.Count == 0)
        {
            _startedAt = Stopwatch.GetTimestamp();
        }

        _messages.Add(message);
    }

    public bool IsDeadLettered(ConsumeResult<byte[]?, byte[]?> message) => _deadLettered.Contains(Key(message));

    public void MarkDeadLettered(ConsumeResult<byte[]?, byte[]?> message) => _deadLettered.Add(Key(message));

    /// <summary>Per partition, the offset after the last message held: what to commit once the batch is written.</summary>
    public List<TopicPartitionOffset> CommitOffsets() =>
        _messages
            .GroupBy(m => m.TopicPartition)
            .Select(g => new TopicPartitionOffset(g.Key, new Offset(g.Max(m => m.Offset.Value) + 1)))
            .ToList();

    /// <summary>Drops the messages of partitions this member no longer owns; their next owner reads them again.</summary>
    public void Remove(IEnumerable<TopicPartition> partitions)
    {
        var gone = partitions.ToHashSet();
        _messages.RemoveAll(m => gone.Contains(m.TopicPartition));
        _deadLettered.RemoveWhere(k => gone.Contains(new TopicPartition(k.Topic, k.Partition)));
    }

    public void Clear()
    {
        _messages.Clear();
        _deadLettered.Clear();
    }

    private static (string, int, long) Key(ConsumeResult<byte[]?, byte[]?> m) => (m.Topic, m.Partition.Value, m.Offset.Value);
}
