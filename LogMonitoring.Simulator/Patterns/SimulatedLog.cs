using LogMonitoring.Contracts;

namespace LogMonitoring.Simulator.Patterns;

/// <summary>One log line a simulated service emits, before it gets its id, time and host.</summary>
public sealed record SimulatedLog(LogEventLevel Level, string Message, IReadOnlyDictionary<string, object> Metadata);
