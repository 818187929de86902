using LogMonitoring.Explorer.KeyRing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Explorer.Extensions;

/// <summary>Data protection for several explorer replicas behind one address.</summary>
public static class KeyRingExtensions
{
    /// <summary>The name every replica protects under (the default is the content root, which may differ between images).</summary>
    public const string ApplicationName = "LogMonitoring.Explorer";

    /// <summary>
    /// With <c>DataProtection:Key</c> set (the cluster), every replica uses the one key made from it
    /// (<see cref="SharedKeyRing"/>) and never generates its own; without it (one process, locally),
    /// ASP.NET Core's default key ring is left as it is.
    /// </summary>
    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SharedKeyRingOptions>().BindConfiguration(SharedKeyRingOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        if (string.IsNullOrEmpty(configuration[$"{SharedKeyRingOptions.SectionName}:{nameof(SharedKeyRingOptions.Key)}"]))
        {
            return services;
        }

        services.AddDataProtection().SetApplicationName(ApplicationName).DisableAutomaticKeyGeneration();
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<SharedKeyRingOptions>>((keys, ring) =>
            keys.XmlRepository = new SharedKeyRing(Convert.FromHexString(ring.Value.Key!)));
        return services;
    }
}
