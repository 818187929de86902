namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>
/// The API keys a service accepts (configuration section <c>ApiKeys</c>), from user secrets locally and
/// a Kubernetes Secret in a cluster. A key is given in plain text (<c>Key</c>) or as the hex SHA-256 of
/// the key (<c>KeySha256</c>), which keeps the key itself out of the configuration.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>Require the <c>metrics:read</c> scope on <c>/metrics</c> (off: Prometheus scrapes inside the cluster).</summary>
    public bool ProtectMetrics { get; set; }

    /// <summary>
    /// Requests per second each key may make (a token bucket; bursts up to twice this): a guard against
    /// floods, far above what a shipper sending one event per request needs. What a key sends is limited
    /// by <see cref="BytesPerSecond"/>.
    /// </summary>
    public int RequestsPerSecond { get; set; } = 10_000;

    /// <summary>Requests per second per client address when no key is configured (Development only).</summary>
    public int AnonymousRequestsPerSecond { get; set; } = 10_000;

    /// <summary>
    /// Body bytes per second each key may send to ingest (as received, so compressed when the body is),
    /// refilled continuously; about 100,000 events per second of 300 bytes.
    /// </summary>
    public long BytesPerSecond { get; set; } = 32 * 1024 * 1024;

    /// <summary>How many bytes a key may send at once after a quiet spell (the token bucket's size).</summary>
    public long BurstBytes { get; set; } = 64 * 1024 * 1024;
}

public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key; appears in logs and metrics instead of the key.</summary>
    public string Name { get; set; } = "";

    public string? Key { get; set; }

    public string? KeySha256 { get; set; }

    /// <summary><c>logs:write</c>, <c>logs:read</c>, <c>metrics:read</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>Overrides <see cref="ApiKeyOptions.RequestsPerSecond"/> for this key.</summary>
    public int? RequestsPerSecond { get; set; }

    /// <summary>Overrides <see cref="ApiKeyOptions.BytesPerSecond"/> for this key.</summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>Overrides <see cref="ApiKeyOptions.BurstBytes"/> for this key.</summary>
    public long? BurstBytes { get; set; }
}

/// <summary>The scopes, and the authorization policies named after them.</summary>
public static class Scopes
{
    public const string WriteLogs = "logs:write";
    public const string ReadLogs = "logs:read";
    public const string ReadMetrics = "metrics:read";

    public const string ClaimType = "scope";

    public static readonly string[] All = [WriteLogs, ReadLogs, ReadMetrics];
}
