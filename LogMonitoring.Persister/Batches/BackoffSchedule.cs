namespace LogMonitoring.Persister.Batches;

/// <summary>The pauses between retries of a failing batch: 100 ms, doubling, up to a ceiling; back to the start after a success.</summary>
public sealed class BackoffSchedule(TimeSpan ceiling)
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);

    private TimeSpan _next = First;

    /// <summary>Failures since the last success.</summary>
    public int Failures { get; private set; }

    public TimeSpan NextDelay()
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, ceiling.Ticks));
        Failures++;
        return delay;
    }

    public void Reset()
    {
        _next = First;
        Failures = 0;
    }
}
