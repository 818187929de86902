using System.Collections.Concurrent;

namespace LogMonitoring.LoadGen.Measurement;

/// <summary>What a run has done so far; read by the live progress line and the final summary.</summary>
public sealed class RunCounters
{
    private long _requests;
    private long _eventsSent;
    private long _accepted;
    private long _rejected;
    private long _failedEvents;

    public LatencyHistogram Latency { get; } = new();

    public ConcurrentDictionary<string, long> Outcomes { get; } = new();

    public long Requests => Volatile.Read(ref _requests);

    public long EventsSent => Volatile.Read(ref _eventsSent);

    public long Accepted => Volatile.Read(ref _accepted);

    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Events in requests that got no 202 (errors, 429, 503, timeouts): not accepted, not stored.</summary>
    public long FailedEvents => Volatile.Read(ref _failedEvents);

    public void Answered(string outcome, int events, int accepted, int rejected, TimeSpan latency)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _eventsSent, events);
        Interlocked.Add(ref _accepted, accepted);
        Interlocked.Add(ref _rejected, rejected);
        Interlocked.Add(ref _failedEvents, events - accepted - rejected);
        Outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
        Latency.Record(latency);
    }
}
