using System.ComponentModel.DataAnnotations;

namespace LogMonitoring.Simulator;

/// <summary>The simulator's settings (section <c>Simulator</c>); rates and the incident can change while it runs.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>The API key sent to ingest as X-Api-Key (the AppHost passes its development key).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where to send; unset means <c>http://ingest</c>, resolved by service discovery (<c>services:ingest:http:0</c>).</summary>
    public string? IngestUrl { get; set; }

    /// <summary>How often each service sends what it has produced since the last send, as one NDJSON request.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Most events in one request; a bigger backlog is sent in several.</summary>
    [Range(1, 10_000)]
    public int MaxBatchEvents { get; set; } = 5000;

    /// <summary>How many instances (hosts) each simulated service runs as.</summary>
    [Range(1, 100)]
    public int InstancesPerService { get; set; } = 3;

    public Dictionary<string, SimulatedServiceOptions> Services { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>An incident that starts with the simulator (more can be started with POST /api/incidents).</summary>
    public IncidentOptions? Incident { get; set; }

    public SimulatedServiceOptions For(string service) =>
        Services.TryGetValue(service, out var options) ? options : new SimulatedServiceOptions();
}

public sealed class SimulatedServiceOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Log lines per second this service sends.</summary>
    [Range(0, 1_000_000)]
    public double RatePerSecond { get; set; } = 100;
}

public sealed class IncidentOptions
{
    [Required]
    public string Service { get; set; } = "";

    /// <summary>The share of the service's lines that are failures during the incident.</summary>
    [Range(0.0, 1.0)]
    public double ErrorRate { get; set; } = 0.5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);
}
