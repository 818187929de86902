namespace LogMonitoring.Ingest.Kafka;

/// <summary>
/// What waits for Kafka's acknowledgement across all requests, in events and in bytes as produced, and the
/// limits past which ingest refuses a request (429) instead of holding more in memory.
/// </summary>
public sealed class InFlightBudget(int maxEvents, long maxBytes)
{
    private long _events;
    private long _bytes;

    public int Events => (int)Interlocked.Read(ref _events);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Reserves room for a request's events; returns null when reserved, otherwise why not.</summary>
    public string? TryReserve(int events, long bytes)
    {
        var totalEvents = Interlocked.Add(ref _events, events);
        var totalBytes = Interlocked.Add(ref _bytes, bytes);
        // A request larger than a limit still goes through when nothing else is waiting, or it could never go.
        if (totalEvents == events)
        {
            return null;
        }

        string? refusal = null;
        if (totalEvents > maxEvents)
        {
            refusal = $"{maxEvents} events are already waiting for Kafka ({nameof(IngestOptions.MaxInFlightEvents)})";
        }
        else if (totalBytes > maxBytes)
        {
            refusal = $"{totalBytes - bytes} bytes are already waiting for Kafka, and this request's {bytes} would pass the {maxBytes} allowed ({nameof(IngestOptions.MaxInFlightBytes)})";
        }

        if (refusal is not null)
        {
            Release(events, bytes);
        }

        return refusal;
    }

    /// <summary>Returns a request's room once Kafka answered for every one of its events.</summary>
    public void Release(int events, long bytes)
    {
        Interlocked.Add(ref _events, -events);
        Interlocked.Add(ref _bytes, -bytes);
    }
}
