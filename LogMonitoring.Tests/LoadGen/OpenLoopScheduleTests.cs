using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.Tests.LoadGen;

public sealed class OpenLoopScheduleTests
{
    [Theory]
    [InlineData(10_000, 500, 60)]
    [InlineData(50_000, 1000, 60)]
    [InlineData(1_234, 100, 10)]
    [InlineData(100, 1, 30)]
    public void A_run_offers_the_rate_times_the_duration(double rate, int batch, int seconds)
    {
        var schedule = new OpenLoopSchedule(rate, batch);
        var requests = schedule.RequestsIn(TimeSpan.FromSeconds(seconds));
        var events = requests * batch;
        var expected = rate * seconds;
        Assert.InRange(events, expected - batch, expected + batch);
    }

    [Fact]
    public void Requests_are_evenly_spaced_from_the_start()
    {
        var schedule = new OpenLoopSchedule(10_000, 500);
        Assert.Equal(TimeSpan.Zero, schedule.DueAt(0));
        Assert.Equal(TimeSpan.FromMilliseconds(50), schedule.DueAt(1));
        Assert.Equal(TimeSpan.FromSeconds(60), schedule.DueAt(1200));
        Assert.Equal(20, schedule.RequestsPerSecond);
    }

    [Fact]
    public void Due_by_counts_the_requests_whose_time_has_come()
    {
        var schedule = new OpenLoopSchedule(10_000, 500);
        Assert.Equal(0, schedule.DueBy(TimeSpan.FromMilliseconds(-1)));
        Assert.Equal(1, schedule.DueBy(TimeSpan.Zero));
        Assert.Equal(1, schedule.DueBy(TimeSpan.FromMilliseconds(49)));
        Assert.Equal(2, schedule.DueBy(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(1200, schedule.RequestsIn(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void A_rate_that_is_not_a_multiple_of_the_batch_keeps_its_average()
    {
        var schedule = new OpenLoopSchedule(7_000, 3);
        var gaps = Enumerable.Range(1, 7000).Select(i => schedule.DueAt(i) - schedule.DueAt(i - 1)).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap.Ticks, 4285, 4286));
        Assert.Equal(TimeSpan.FromSeconds(3), schedule.DueAt(7000));
    }
}
