using Microsoft.Extensions.Options;

namespace LogMonitoring.Simulator.Traffic;

/// <summary>Starts the incident named in configuration (<c>Simulator:Incident</c>), if any, when the simulator starts.</summary>
public sealed partial class StartupIncident(IOptions<SimulatorOptions> options, IncidentSwitch incidents, ILogger<StartupIncident> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Incident is { Service.Length: > 0 } incident)
        {
            var started = incidents.Start(incident.Service, incident.ErrorRate, incident.Duration);
            LogIncident(started.Service, started.ErrorRate, started.EndsAt);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incident: {Service} fails {ErrorRate:P0} of its requests until {EndsAt}")]
    private partial void LogIncident(string service, double errorRate, DateTimeOffset endsAt);
}
