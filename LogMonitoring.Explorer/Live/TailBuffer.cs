using LogMonitoring.Explorer.StatsApi;

namespace LogMonitoring.Explorer.Live;

/// <summary>
/// The newest logs of a live tail, at most <see cref="Capacity"/>: the stream writes from its own task,
/// the page reads a snapshot when it redraws. When full, the oldest log falls off, so a fast stream
/// costs a fixed amount of memory however long the tab stays open.
/// </summary>
public sealed class TailBuffer(int capacity)
{
    private readonly LinkedList<LogItem> _items = new();
    private readonly Lock _lock = new();
    private long _received;
    private long _version;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Logs received since the tail started, including those that have since fallen off.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Changes with every log added, so a redraw can be skipped when nothing arrived.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Add(LogItem item)
    {
        lock (_lock)
        {
            _items.AddFirst(item);
            if (_items.Count > Capacity)
            {
                _items.RemoveLast();
            }
        }

        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _version);
    }

    /// <summary>The logs held, newest first.</summary>
    public IReadOnlyList<LogItem> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }

        Interlocked.Exchange(ref _received, 0);
        Interlocked.Increment(ref _version);
    }
}
