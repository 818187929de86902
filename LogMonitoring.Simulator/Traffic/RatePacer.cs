namespace LogMonitoring.Simulator.Traffic;

/// <summary>
/// Turns a rate into whole events per tick without drift: the fraction a tick cannot send is carried
/// to the next, so over any stretch of time the count sent equals rate × time, rounded down.
/// </summary>
public sealed class RatePacer
{
    private double _carry;

    /// <summary>How many events are due for <paramref name="elapsed"/> at <paramref name="ratePerSecond"/>.</summary>
    public int Take(double ratePerSecond, TimeSpan elapsed)
    {
        if (ratePerSecond <= 0 || elapsed <= TimeSpan.Zero)
        {
            return 0;
        }

        var due = _carry + (ratePerSecond * elapsed.TotalSeconds);
        // A stall (a paused debugger, a slow ingest) must not turn into one enormous burst afterwards.
        due = Math.Min(due, ratePerSecond * 10);
        var whole = (int)Math.Floor(due);
        _carry = due - whole;
        return whole;
    }
}
