using System.ComponentModel.DataAnnotations;

namespace LogMonitoring.Contracts;

/// <summary>
/// Every limit the contract enforces. Bound from the <c>LogLimits</c> configuration section by each
/// service that reads events, so ingest and persister agree. Each error names the field and the limit.
/// </summary>
public sealed class LogLimits
{
    public const string SectionName = "LogLimits";

    /// <summary>Largest request body, after decompression.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most events in one request.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchEvents { get; set; } = 10_000;

    /// <summary>Largest single event, as JSON.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 256 * 1024;

    /// <summary>Longest message, in characters.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxMessageLength { get; set; } = 32 * 1024;

    /// <summary>Longest service name; Stats accepts names up to the ceiling, <see cref="ServiceName.MaxLength"/>.</summary>
    [Range(1, ServiceName.MaxLength)]
    public int MaxServiceLength { get; set; } = 128;

    [Range(1, 4096)]
    public int MaxHostLength { get; set; } = 255;

    /// <summary>Longest sender id. Never below 36: ingest gives id-less events a UUID, which the persister checks too.</summary>
    [Range(36, 1024)]
    public int MaxIdLength { get; set; } = 128;

    /// <summary>Most properties in <c>metadata</c>, counted at every depth.</summary>
    [Range(0, 10_000)]
    public int MaxMetadataKeys { get; set; } = 100;

    /// <summary>Deepest nesting of objects and arrays inside <c>metadata</c> (1 = flat).</summary>
    [Range(1, 64)]
    public int MaxMetadataDepth { get; set; } = 8;

    /// <summary>Largest <c>metadata</c> object, as JSON.</summary>
    [Range(2, 16 * 1024 * 1024)]
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>How far in the future a timestamp may be (clock skew between senders and us).</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far in the past a timestamp may be (late arrivals are counted; older is refused).</summary>
    public TimeSpan MaxPastAge { get; set; } = TimeSpan.FromDays(30);
}
