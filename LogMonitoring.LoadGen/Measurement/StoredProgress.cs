namespace LogMonitoring.LoadGen.Measurement;

/// <summary>
/// Follows a growing count sampled over time and reports how fast it grew, from the sample before
/// the first growth to the last one, so the wait before writing starts (a consumer group forming)
/// does not dilute the rate.
/// </summary>
public sealed class StoredProgress
{
    private long? _first;
    private TimeSpan _growthStart;
    private long _startCount;
    private TimeSpan _growthEnd;

    public long Last { get; private set; }

    public TimeSpan GrowthTime => _growthEnd - _growthStart;

    /// <summary>Events per second between the start and the end of the growth; 0 before any.</summary>
    public double Rate => GrowthTime > TimeSpan.Zero ? (Last - _startCount) / GrowthTime.TotalSeconds : 0;

    /// <summary>Records a sample; true when the count moved.</summary>
    public bool Observe(TimeSpan at, long count)
    {
        if (_first is null)
        {
            _first = count;
            _startCount = count;
            _growthStart = at;
            Last = count;
            return false;
        }

        if (count == Last)
        {
            if (Last == _startCount)
            {
                // Still waiting for the first write: growth starts from the latest unchanged sample.
                _growthStart = at;
            }

            return false;
        }

        Last = count;
        _growthEnd = at;
        return true;
    }
}
