using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>
/// Authenticates API keys in every form shippers send them (<see cref="PresentedApiKeys"/>). Keys are
/// compared as SHA-256 digests in constant time, and never logged: only the key's name is. A request that
/// presents the same key more than once (a header repeated, or sent both as <c>X-Api-Key</c> and in
/// <c>Authorization</c>) is that key; one that presents two different keys is refused.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeyOptions> keys,
    ApiSecurity security) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    // The configured keys' digests, computed once per options value (a reload brings a new one) rather than per request.
    private static readonly ConditionalWeakTable<ApiKeyOptions, byte[]?[]> s_digests = new();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedApiKeys.Read(Request.Headers, security.JwtConfigured);
        if (presented.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var entry = Resolve(keys.CurrentValue, presented, out var failure);
        if (entry is null)
        {
            return Task.FromResult(AuthenticateResult.Fail(failure!));
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, entry.Name) };
        claims.AddRange(entry.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>
    /// The one key every presented credential names, or null with the reason (which names where the
    /// credential was sent, never its value).
    /// </summary>
    internal static ApiKeyEntry? Resolve(ApiKeyOptions options, IReadOnlyList<PresentedApiKey> presented, out string? failure)
    {
        ApiKeyEntry? resolved = null;
        foreach (var credential in presented)
        {
            if (credential.Key is null)
            {
                failure = $"{credential.Source}: the credentials are not base64 of 'user:key'.";
                return null;
            }

            var match = Find(options, credential.Key) ?? (credential.Alternative is { } alternative ? Find(options, alternative) : null);
            if (match is null)
            {
                failure = $"{credential.Source}: the API key is not valid.";
                return null;
            }

            if (resolved is not null && !ReferenceEquals(resolved, match))
            {
                failure = "The request presents two different API keys; send one.";
                return null;
            }

            resolved = match;
        }

        failure = null;
        return resolved;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        return Task.CompletedTask;
    }

    /// <summary>Checks every key, whatever matched, so the time taken does not tell which one was close.</summary>
    internal static ApiKeyEntry? Find(ApiKeyOptions options, string presented)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        var expected = Digests(options);
        ApiKeyEntry? match = null;
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] is { } key && CryptographicOperations.FixedTimeEquals(digest, key))
            {
                match ??= options.Keys[i];
            }
        }

        return match;
    }

    private static byte[]?[] Digests(ApiKeyOptions options)
    {
        if (s_digests.TryGetValue(options, out var cached) && cached.Length == options.Keys.Count)
        {
            return cached;
        }

        var digests = options.Keys.Select(entry =>
        {
            var digest = new byte[32];
            return TryDigest(entry, digest) ? digest : null;
        }).ToArray();
        s_digests.AddOrUpdate(options, digests);
        return digests;
    }

    internal static bool TryDigest(ApiKeyEntry entry, Span<byte> digest)
    {
        if (!string.IsNullOrEmpty(entry.KeySha256))
        {
            if (entry.KeySha256.Length != 64 || entry.KeySha256.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
            {
                return false;
            }

            Convert.FromHexString(entry.KeySha256).CopyTo(digest);
            return true;
        }

        if (!string.IsNullOrEmpty(entry.Key))
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(entry.Key), digest);
            return true;
        }

        return false;
    }
}
