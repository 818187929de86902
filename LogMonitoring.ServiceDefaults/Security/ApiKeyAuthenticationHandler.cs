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
/// Authenticates <c>X-Api-Key</c> (and Seq's <c>X-Seq-ApiKey</c>, so Seq clients work unchanged). Keys are
/// compared as SHA-256 digests in constant time, and never logged: only the key's name is.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeyOptions> keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public static readonly string[] HeaderNames = ["X-Api-Key", "X-Seq-ApiKey"];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        foreach (var header in HeaderNames)
        {
            if (Request.Headers.TryGetValue(header, out var value) && !string.IsNullOrEmpty(value))
            {
                presented = value.ToString();
                break;
            }
        }

        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var entry = Find(keys.CurrentValue, presented);
        if (entry is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, entry.Name) };
        claims.AddRange(entry.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
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
        ApiKeyEntry? match = null;
        Span<byte> expected = stackalloc byte[32];
        foreach (var entry in options.Keys)
        {
            if (!TryDigest(entry, expected))
            {
                continue;
            }

            if (CryptographicOperations.FixedTimeEquals(digest, expected))
            {
                match ??= entry;
            }
        }

        return match;
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
