using System.Collections.Concurrent;

namespace LogMonitoring.Ingest.Kafka;

/// <summary>
/// What this ingest has had acknowledged by Kafka since it started, per partition and in total, in events and
/// in bytes as produced (keys and values). The lag gate turns the persisters' unread events into bytes with it,
/// and counts what was written since its last look at the topic.
/// </summary>
public sealed class ProducedVolume
{
    private readonly ConcurrentDictionary<int, Counter> _partitions = new();
    private long _events;
    private long _bytes;

    /// <summary>One event of <paramref name="bytes"/> acknowledged on <paramref name="partition"/>.</summary>
    public void Acknowledged(int partition, long bytes)
    {
        Interlocked.Increment(ref _events);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Add(ref _partitions.GetOrAdd(partition, static _ => new Counter()).Bytes, bytes);
    }

    /// <summary>The average size of an acknowledged event, or null before the first.</summary>
    public double? AverageEventBytes
    {
        get
        {
            var events = Interlocked.Read(ref _events);
            return events == 0 ? null : (double)Interlocked.Read(ref _bytes) / events;
        }
    }

    /// <summary>Bytes acknowledged on the partition since start.</summary>
    public long BytesOn(int partition) =>
        _partitions.TryGetValue(partition, out var counter) ? Interlocked.Read(ref counter.Bytes) : 0;

    /// <summary>Bytes acknowledged on each partition since start, as they stand now.</summary>
    public Dictionary<int, long> Snapshot() => _partitions.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Bytes));

    private sealed class Counter
    {
        public long Bytes;
    }
}
