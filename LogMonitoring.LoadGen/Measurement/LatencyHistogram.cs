namespace LogMonitoring.LoadGen.Measurement;

/// <summary>
/// Records latencies in microseconds into log-linear buckets, the way HdrHistogram does: values below
/// 128 are exact, larger ones fall in buckets whose width is at most 1/64 of their value, so every
/// percentile is within 1.6% of the true one while memory stays fixed (a few thousand counters) no
/// matter how many values are recorded. Safe to record into from many threads at once.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int HalfCount = SubBucketCount / 2;

    private readonly long[] _counts = new long[SubBucketCount + ((63 - SubBucketBits + 1) * HalfCount)];
    private long _total;
    private long _max;
    private long _min = long.MaxValue;
    private long _sum;

    public long Count => Volatile.Read(ref _total);

    public long Max => Count == 0 ? 0 : Volatile.Read(ref _max);

    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    public void Record(TimeSpan elapsed) => Record(Math.Max(0, elapsed.Ticks / TimeSpan.TicksPerMicrosecond));

    public void Record(long microseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(microseconds);
        Interlocked.Increment(ref _counts[BucketOf(microseconds)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, microseconds);
        UpdateExtreme(ref _max, microseconds, static (candidate, current) => candidate > current);
        UpdateExtreme(ref _min, microseconds, static (candidate, current) => candidate < current);
    }

    /// <summary>Adds every value recorded in <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (other._counts[i] != 0)
            {
                Interlocked.Add(ref _counts[i], other._counts[i]);
            }
        }

        Interlocked.Add(ref _total, other.Count);
        Interlocked.Add(ref _sum, other._sum);
        if (other.Count > 0)
        {
            UpdateExtreme(ref _max, other.Max, static (candidate, current) => candidate > current);
            UpdateExtreme(ref _min, other.Min, static (candidate, current) => candidate < current);
        }
    }

    /// <summary>
    /// The smallest recorded value such that <paramref name="percentile"/>% of all values are at or
    /// below it, reported as the highest value of its bucket (never above the recorded maximum).
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var target = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= target)
            {
                return Math.Clamp(HighestInBucket(i), Min, Max);
            }
        }

        return Max;
    }

    internal static int BucketOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        // Keep the 7 most significant bits: the value's top bit is at `shift + 6`.
        var shift = 63 - long.LeadingZeroCount(value) - (SubBucketBits - 1);
        var top = (int)(value >> (int)shift);
        return SubBucketCount + ((int)(shift - 1) * HalfCount) + (top - HalfCount);
    }

    internal static long HighestInBucket(int bucket)
    {
        if (bucket < SubBucketCount)
        {
            return bucket;
        }

        var shift = ((bucket - SubBucketCount) / HalfCount) + 1;
        var top = ((bucket - SubBucketCount) % HalfCount) + HalfCount;
        return ((long)(top + 1) << shift) - 1;
    }

    private static void UpdateExtreme(ref long field, long value, Func<long, long, bool> better)
    {
        var current = Volatile.Read(ref field);
        while (better(value, current))
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
