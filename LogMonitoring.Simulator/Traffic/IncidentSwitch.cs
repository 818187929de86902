namespace LogMonitoring.Simulator.Traffic;

/// <summary>One incident: a service failing at a raised error rate until a given time.</summary>
public sealed record Incident(string Service, double ErrorRate, DateTimeOffset StartedAt, DateTimeOffset EndsAt);

/// <summary>
/// The incident in progress, if any, shared by the service workers and the incidents API. Only one
/// at a time: starting a new one replaces the old one.
/// </summary>
public sealed class IncidentSwitch(TimeProvider time)
{
    private volatile Incident? _current;

    public Incident? Current => _current is { } incident && incident.EndsAt > time.GetUtcNow() ? incident : null;

    public Incident Start(string service, double errorRate, TimeSpan duration)
    {
        var now = time.GetUtcNow();
        var incident = new Incident(service, Math.Clamp(errorRate, 0, 1), now, now + duration);
        _current = incident;
        return incident;
    }

    public void End() => _current = null;

    /// <summary>The error rate <paramref name="service"/> has now, or null when it is healthy.</summary>
    public double? ErrorRateFor(string service) =>
        Current is { } incident && string.Equals(incident.Service, service, StringComparison.OrdinalIgnoreCase) ? incident.ErrorRate : null;
}
