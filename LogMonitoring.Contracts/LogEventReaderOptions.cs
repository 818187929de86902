namespace LogMonitoring.Contracts;

/// <summary>How a service reads events: the limits every event must keep, and the clock it reads them by.</summary>
public sealed record LogEventReaderOptions
{
    public required LogLimits Limits { get; init; }

    /// <summary>Gives a topic message without a timestamp the time it was read.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
