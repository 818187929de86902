using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace LogMonitoring.Explorer.KeyRing;

/// <summary>
/// A key ring of one key, made from a secret every explorer replica is given, so what one pod protects
/// (a tab's API key in session storage, antiforgery tokens) another pod can read: a browser that
/// reconnects to another pod stays signed in. Nothing is generated or stored, so replicas can never
/// drift apart. The key's id follows from the secret, so a new secret is a new key, and what the old
/// one protected is refused (the page then asks for the API key again).
/// </summary>
/// <remarks>
/// Chosen over keys persisted to shared storage: a volume every pod can write needs ReadWriteMany
/// storage (Filestore on GKE), and Redis or a database would be a store the explorer otherwise never
/// opens. The key element is ASP.NET Core's documented key format, with the descriptor exported by the
/// library itself.
/// </remarks>
public sealed class SharedKeyRing : IXmlRepository
{
    // Any instant before the first request: the key is active from the start and never expires.
    private static readonly DateTimeOffset s_activation = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_expiration = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly XElement _key;

    public SharedKeyRing(byte[] secret)
    {
        KeyId = IdOf(secret);
        var descriptor = new AuthenticatedEncryptorDescriptor(new AuthenticatedEncryptorConfiguration(), new Secret(secret)).ExportToXml();
        _key = new XElement("key",
            new XAttribute("id", KeyId),
            new XAttribute("version", 1),
            new XElement("creationDate", XmlConvert.ToString(s_activation)),
            new XElement("activationDate", XmlConvert.ToString(s_activation)),
            new XElement("expirationDate", XmlConvert.ToString(s_expiration)),
            new XElement("descriptor",
                new XAttribute("deserializerType", descriptor.DeserializerType.AssemblyQualifiedName!),
                descriptor.SerializedDescriptorElement));
    }

    /// <summary>The one key's id, which every protected payload names.</summary>
    public Guid KeyId { get; }

    public IReadOnlyCollection<XElement> GetAllElements() => [new XElement(_key)];

    public void StoreElement(XElement element, string friendlyName) =>
        throw new InvalidOperationException("The explorer's key ring comes from DataProtection:Key and is read-only: automatic key generation must stay disabled.");

    // A hash of the secret under a label of its own: the id travels in every payload, the secret never does.
    private static Guid IdOf(byte[] secret)
    {
        var digest = SHA256.HashData([.. "LogMonitoring.Explorer key id:"u8, .. secret]);
        return new Guid(digest.AsSpan(0, 16));
    }
}
