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

    /// <summary>
    /// The store key for an event that travelled with <paramref name="sourceId"/>: a name-based (v5) UUID of
    /// the service and the id, except that a UUIDv7 id (every id ingest assigns is one) lends the key its
    /// millisecond timestamp as the first 48 bits (a v8 UUID, the rest still the name's hash). Keys then
    /// arrive in time order, and the store's unique index on the key grows at one edge: with random keys
    /// every insert dirtied a random leaf of that index, so writing a log cost more the larger the store was.
    /// </summary>
    public static string ForSource(string service, string sourceId)
    {
        var named = Uuid.NewNameBased(s_namespace, string.Concat(service, "\u001f", sourceId));
        return (Guid.TryParse(sourceId, out var source) && source.Version == 7 ? TimeLed(named, source) : named).ToString("D");
    }

    /// <summary>The name's hash behind the v7 id's timestamp, with RFC 9562's version 8 (custom) and the same variant.</summary>
    private static Guid TimeLed(Guid named, Guid version7)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> time = stackalloc byte[16];
        named.TryWriteBytes(key, bigEndian: true, out _);
        version7.TryWriteBytes(time, bigEndian: true, out _);
        time[..6].CopyTo(key);
        key[6] = (byte)(0x80 | (key[6] & 0x0F));
        return new Guid(key, bigEndian: true);
    }

    /// <summary>The store key for an event that reached Kafka without any id (produced directly).</summary>
    public static string ForKafkaPosition(string topic, int partition, long offset) =>
        Uuid.NewNameBased(s_namespace, $"kafka\u001f{topic}\u001f{partition}\u001f{offset}").ToString("D");
}
