namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>
/// The fault tests run one after another: each starts several services and drives load, and on a
/// small machine two at once would measure each other's CPU contention rather than the fault.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultInjectionCollection
{
    public const string Name = "Fault injection";
}
