namespace LogMonitoring.LoadGen.Measurement;

/// <summary>
/// When each request of an open-loop run is due. Requests leave on the schedule whether or not
/// earlier ones have been answered, and latency is measured from the due time, so a stalled server
/// shows up as latency instead of quietly lowering the offered rate (coordinated omission).
/// </summary>
public sealed class OpenLoopSchedule
{
    public OpenLoopSchedule(double eventsPerSecond, int eventsPerRequest)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(eventsPerRequest);
        EventsPerSecond = eventsPerSecond;
        EventsPerRequest = eventsPerRequest;
    }

    public double EventsPerSecond { get; }

    public int EventsPerRequest { get; }

    public double RequestsPerSecond => EventsPerSecond / EventsPerRequest;

    /// <summary>The offset from the run's start at which request <paramref name="index"/> is due.</summary>
    public TimeSpan DueAt(long index) =>
        TimeSpan.FromTicks((long)Math.Round(index * EventsPerRequest * (double)TimeSpan.TicksPerSecond / EventsPerSecond));

    /// <summary>How many requests are due by <paramref name="elapsed"/> (request 0 is due at once).</summary>
    public long DueBy(TimeSpan elapsed) =>
        elapsed < TimeSpan.Zero ? 0 : (long)Math.Floor(elapsed.Ticks * EventsPerSecond / EventsPerRequest / TimeSpan.TicksPerSecond) + 1;

    /// <summary>How many requests a run of <paramref name="duration"/> sends: those due strictly before its end.</summary>
    public long RequestsIn(TimeSpan duration)
    {
        var count = DueBy(duration);
        return count > 0 && DueAt(count - 1) >= duration ? count - 1 : count;
    }
}
