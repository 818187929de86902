using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.Tests.LoadGen;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 100; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(50, histogram.ValueAtPercentile(50));
        Assert.Equal(95, histogram.ValueAtPercentile(95));
        Assert.Equal(99, histogram.ValueAtPercentile(99));
        Assert.Equal(100, histogram.ValueAtPercentile(100));
        Assert.Equal(1, histogram.ValueAtPercentile(0));
        Assert.Equal(50.5, histogram.Mean);
    }

    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_the_bucket_precision()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v);
        }

        foreach (var p in new[] { 50.0, 90.0, 95.0, 99.0, 99.9 })
        {
            var exact = p / 100 * 1_000_000;
            var reported = histogram.ValueAtPercentile(p);
            Assert.InRange(reported, exact, exact * (1 + (1.0 / 64)));
        }

        Assert.Equal(1_000_000, histogram.Max);
        Assert.Equal(1_000_000, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void A_single_outlier_is_the_maximum_but_not_the_p99()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 999; i++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(2));
        }

        histogram.Record(TimeSpan.FromSeconds(5));

        Assert.InRange(histogram.ValueAtPercentile(99), 2000, 2000 * 65 / 64);
        Assert.Equal(5_000_000, histogram.Max);
        Assert.Equal(5_000_000, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void An_empty_histogram_reports_zero() => Assert.Equal(0, new LatencyHistogram().ValueAtPercentile(99));

    [Fact]
    public void Adding_histograms_is_the_same_as_recording_everything_in_one()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 10_000).Select(_ => (long)random.Next(0, 5_000_000)).ToArray();
        var all = new LatencyHistogram();
        var left = new LatencyHistogram();
        var right = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            all.Record(values[i]);
            (i % 2 == 0 ? left : right).Record(values[i]);
        }

        left.Add(right);

        Assert.Equal(all.Count, left.Count);
        Assert.Equal(all.Max, left.Max);
        Assert.Equal(all.Min, left.Min);
        foreach (var p in new[] { 1.0, 50, 95, 99, 99.99 })
        {
            Assert.Equal(all.ValueAtPercentile(p), left.ValueAtPercentile(p));
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(127L)]
    [InlineData(128L)]
    [InlineData(129L)]
    [InlineData(255L)]
    [InlineData(256L)]
    [InlineData(1_000_003L)]
    [InlineData(long.MaxValue / 3)]
    public void Every_value_falls_in_a_bucket_no_wider_than_a_64th_of_it(long value)
    {
        var bucket = LatencyHistogram.BucketOf(value);
        var highest = LatencyHistogram.HighestInBucket(bucket);
        Assert.InRange(highest, value, value + Math.Max(0, value / 64));
        if (bucket > 0)
        {
            Assert.True(LatencyHistogram.HighestInBucket(bucket - 1) < value, "the previous bucket must end below the value");
        }
    }

    [Fact]
    public void Recording_from_many_threads_loses_nothing()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 1; i <= 10_000; i++)
            {
                histogram.Record(i);
            }
        });

        Assert.Equal(80_000, histogram.Count);
        Assert.Equal(10_000, histogram.Max);
    }
}
