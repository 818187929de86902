using System.ComponentModel.DataAnnotations;

namespace LogMonitoring.Explorer.KeyRing;

/// <summary>
/// The data-protection key every replica of the explorer shares (configuration section <c>DataProtection</c>),
/// from a Kubernetes Secret in a cluster. Unset, as when one process runs locally, ASP.NET Core keeps its
/// own per-machine key ring.
/// </summary>
public sealed class SharedKeyRingOptions
{
    public const string SectionName = "DataProtection";

    /// <summary>At least 32 random bytes as hexadecimal (<c>openssl rand -hex 32</c>).</summary>
    [RegularExpression("^([0-9a-fA-F]{2}){32,}$", ErrorMessage = "DataProtection:Key must be at least 64 hexadecimal characters (32 bytes), e.g. from 'openssl rand -hex 32'.")]
    public string? Key { get; set; }
}
