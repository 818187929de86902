using UUIDNext;

namespace LogMonitoring.Contracts;

/// <summary>
/// The ids that make storage idempotent. A sender's id is scoped by service, so two services may use
/// the same key; an event without any id gets one from its Kafka position, which is stable across
/// redeliveries.
/// </summary>
public static class LogEventId
{
    // A fixed namespace for name-based (v5) ids; changing it would change every stored key.
    private static readonly Guid s_namespace = new("6f1b2c3e-9a4d-4b8e-8f2a-2d7c5e1a9b30");

    /// <summary>A new time-ordered id (UUIDv7) for an event whose sender gave none.</summary>
    public static string NewSourceId() => Uuid.NewSequential().ToString("D");

    /// <summary>The store key for an event that travelled with <paramref name="sourceId"/>.</summary>
    public static string ForSource(string service, string sourceId) =>
        Uuid.NewNameBased(s_namespace, string.Concat(service, "\u001f", sourceId)).ToString("D");

    /// <summary>The store key for an event that reached Kafka without any id (produced directly).</summary>
    public static string ForKafkaPosition(string topic, int partition, long offset) =>
        Uuid.NewNameBased(s_namespace, $"kafka\u001f{topic}\u001f{partition}\u001f{offset}").ToString("D");
}
