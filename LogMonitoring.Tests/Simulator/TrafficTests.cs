using LogMonitoring.Simulator.Traffic;

namespace LogMonitoring.Tests.Simulator;

public sealed class TrafficTests
{
    [Theory]
    [InlineData(100, 250)]
    [InlineData(333, 250)]
    [InlineData(1000, 100)]
    [InlineData(7.5, 40)]
    public void The_pacer_sends_the_rate_times_the_time_without_drift(double rate, int tickMs)
    {
        var pacer = new RatePacer();
        var ticks = 60_000 / tickMs;
        var total = Enumerable.Range(0, ticks).Sum(_ => pacer.Take(rate, TimeSpan.FromMilliseconds(tickMs)));
        Assert.InRange(total, (rate * 60) - 1, rate * 60);
    }

    [Fact]
    public void The_pacer_carries_fractions_to_the_next_tick()
    {
        var pacer = new RatePacer();
        // 0.75, then 1.5, 1.25 and 1.0 due: three events in the second, as the rate says.
        Assert.Equal(0, pacer.Take(3, TimeSpan.FromMilliseconds(250)));
        Assert.Equal(1, pacer.Take(3, TimeSpan.FromMilliseconds(250)));
        Assert.Equal(1, pacer.Take(3, TimeSpan.FromMilliseconds(250)));
        Assert.Equal(1, pacer.Take(3, TimeSpan.FromMilliseconds(250)));
        Assert.Equal(0, pacer.Take(3, TimeSpan.FromMilliseconds(250)));
    }

    [Fact]
    public void The_pacer_caps_the_burst_after_a_stall()
    {
        var pacer = new RatePacer();
        Assert.Equal(1000, pacer.Take(100, TimeSpan.FromMinutes(5)));
        Assert.Equal(0, pacer.Take(0, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void An_incident_applies_to_its_service_until_it_ends()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var incidents = new IncidentSwitch(clock);
        Assert.Null(incidents.Current);

        var incident = incidents.Start("payment-service", 0.6, TimeSpan.FromMinutes(5));
        Assert.Equal(clock.Now.AddMinutes(5), incident.EndsAt);
        Assert.Equal(0.6, incidents.ErrorRateFor("payment-service"));
        Assert.Equal(0.6, incidents.ErrorRateFor("Payment-Service"));
        Assert.Null(incidents.ErrorRateFor("api-service"));

        clock.Now = clock.Now.AddMinutes(4);
        Assert.NotNull(incidents.Current);
        clock.Now = clock.Now.AddMinutes(1);
        Assert.Null(incidents.Current);
        Assert.Null(incidents.ErrorRateFor("payment-service"));
    }

    [Fact]
    public void A_new_incident_replaces_the_old_one_and_end_stops_it()
    {
        var incidents = new IncidentSwitch(new ManualClock(DateTimeOffset.UtcNow));
        incidents.Start("api-service", 0.5, TimeSpan.FromMinutes(5));
        incidents.Start("auth-service", 2.0, TimeSpan.FromMinutes(5));
        Assert.Null(incidents.ErrorRateFor("api-service"));
        Assert.Equal(1.0, incidents.ErrorRateFor("auth-service"));

        incidents.End();
        Assert.Null(incidents.Current);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
