using System.Diagnostics.Metrics;

namespace LogMonitoring.Simulator;

/// <summary>What the simulator sent, exported as <c>logmon_simulator_*</c>.</summary>
public sealed class SimulatorMetrics
{
    public const string MeterName = "LogMonitoring.Simulator";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;

    public SimulatorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _sent = meter.CreateCounter<long>("logmon.simulator.events.sent", "{event}", "Simulated events ingest accepted, by service.");
        _failed = meter.CreateCounter<long>("logmon.simulator.events.failed", "{event}", "Simulated events ingest did not accept after retries, by service.");
    }

    public void Sent(string service, int count) => _sent.Add(count, new KeyValuePair<string, object?>("service", service));

    public void Failed(string service, int count) => _failed.Add(count, new KeyValuePair<string, object?>("service", service));
}
