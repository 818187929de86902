using System.Security.Cryptography;
using LogMonitoring.Explorer.Extensions;
using LogMonitoring.Explorer.KeyRing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Tests.Explorer;

/// <summary>
/// Explorer replicas given the same DataProtection:Key read each other's protected data (a tab's API key
/// in session storage survives a reconnect to another pod); another key cannot; without a key the
/// default key ring is untouched; a malformed key stops start-up naming the setting.
/// </summary>
public sealed class SharedKeyRingTests
{
    // A purpose of its own, as ProtectedSessionStorage and antiforgery each have theirs: all come from the same key ring.
    private const string Purpose = "LogMonitoring.Tests.SharedKeyRing";

    private static readonly string s_key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

    /// <summary>One explorer replica's services: what each pod builds at start-up from its configuration.</summary>
    private static ServiceProvider Replica(string? key)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(key is null ? [] : [new("DataProtection:Key", key)])
            .Build();
        var services = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddSingleton<IConfiguration>(configuration);
        services.AddSharedKeyRing(configuration);
        services.AddDataProtection();
        return services.BuildServiceProvider();
    }

    private static IDataProtector Protector(ServiceProvider replica) =>
        replica.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);

    [Fact]
    public void A_replica_reads_what_another_replica_with_the_same_key_protected()
    {
        using var first = Replica(s_key);
        using var second = Replica(s_key.ToLowerInvariant());

        var stored = Protector(first).Protect("the user's api key");

        Assert.Equal("the user's api key", Protector(second).Unprotect(stored));
    }

    [Fact]
    public void A_replica_with_another_key_refuses_it()
    {
        using var first = Replica(s_key);
        using var other = Replica(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));

        var stored = Protector(first).Protect("the user's api key");

        // ApiKeySession catches this and asks for the key again.
        Assert.ThrowsAny<CryptographicException>(() => Protector(other).Unprotect(stored));
    }

    [Fact]
    public void The_key_ring_holds_the_one_key_and_never_makes_another()
    {
        using var replica = Replica(s_key);
        var options = replica.GetRequiredService<IOptions<KeyManagementOptions>>().Value;

        Assert.False(options.AutoGenerateKeys);
        var ring = Assert.IsType<SharedKeyRing>(options.XmlRepository);
        Protector(replica).Protect("x");
        var key = Assert.Single(replica.GetRequiredService<IKeyManager>().GetAllKeys());
        Assert.Equal(ring.KeyId, key.KeyId);
        Assert.False(key.IsRevoked);
        Assert.True(key.ActivationDate < DateTimeOffset.UtcNow && key.ExpirationDate > DateTimeOffset.UtcNow.AddYears(100));
        Assert.Throws<InvalidOperationException>(() => ring.StoreElement(new System.Xml.Linq.XElement("key"), "new"));
    }

    [Fact]
    public void Without_a_key_the_default_key_ring_is_left_alone()
    {
        using var replica = Replica(null);
        var options = replica.GetRequiredService<IOptions<KeyManagementOptions>>().Value;

        Assert.True(options.AutoGenerateKeys);
        Assert.IsNotType<SharedKeyRing>(options.XmlRepository);
    }

    [Theory]
    [InlineData("not hex at all")]
    [InlineData("0123456789abcdef")]
    public void A_malformed_key_stops_start_up_naming_the_setting(string key)
    {
        using var replica = Replica(key);

        var error = Assert.Throws<OptionsValidationException>(() => replica.GetRequiredService<IOptions<SharedKeyRingOptions>>().Value);
        Assert.Contains("DataProtection:Key", error.Message, StringComparison.Ordinal);
        Assert.Contains("64 hexadecimal characters", error.Message, StringComparison.Ordinal);
    }
}
