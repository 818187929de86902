namespace LogMonitoring.Simulator.Patterns;

/// <summary>
/// The log habits of one simulated service: what it logs in ordinary operation, and what it logs when
/// something is broken. During an incident a share of its traffic (the incident's error rate) comes
/// from <see cref="Failure"/> instead.
/// </summary>
public abstract class SimulatedService
{
    public abstract string Name { get; }

    /// <summary>The next line of ordinary traffic, with the service's own occasional warnings and errors.</summary>
    public abstract SimulatedLog Normal(Random random);

    /// <summary>A line that only a broken service writes (ERROR or FATAL).</summary>
    public abstract SimulatedLog Failure(Random random);

    /// <param name="incidentErrorRate">The share of lines that are failures now, or null outside an incident.</param>
    public SimulatedLog Next(Random random, double? incidentErrorRate) =>
        incidentErrorRate is { } rate && random.NextDouble() < rate ? Failure(random) : Normal(random);

    protected static string UserId(Random random) => random.Next(1000, 99_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected static string IpAddress(Random random) => $"10.{random.Next(0, 256)}.{random.Next(0, 256)}.{random.Next(1, 255)}";

    protected static string ShortId(Random random) => random.NextInt64(0x1000_0000_0000, 0xFFFF_FFFF_FFFF).ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
}
