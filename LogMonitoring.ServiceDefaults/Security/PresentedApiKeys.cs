using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LogMonitoring.ServiceDefaults.Security;

/// <summary>
/// One API key as a request presented it. <see cref="Key"/> is null when the credential could not be read
/// (a malformed Basic header); <see cref="Alternative"/> is a second reading of the same credential, tried
/// when the first matches no key (an Elasticsearch <c>ApiKey</c> token is either base64 of <c>id:key</c> or
/// the key itself).
/// </summary>
public sealed record PresentedApiKey(string Source, string? Key, string? Alternative = null);

/// <summary>
/// Reads the API keys a request presents, in every way log shippers send them: <c>X-Api-Key</c>,
/// Seq's <c>X-Seq-ApiKey</c>, <c>Authorization: ApiKey</c> (Elasticsearch clients and Beats),
/// <c>Authorization: Basic</c> with the key as password (Loki clients, Promtail, Alloy, Fluent Bit, Vector,
/// Filebeat) and <c>Authorization: Bearer</c> with a key that is not a JWT (Vector, the OpenTelemetry
/// Collector's bearer-token authenticator). A header sent twice, or once with comma-joined values, yields
/// each value; the handler treats equal values as one key and refuses different ones.
/// </summary>
public static class PresentedApiKeys
{
    public static readonly string[] KeyHeaders = ["X-Api-Key", "X-Seq-ApiKey"];

    /// <param name="jwtConfigured">When true, bearer tokens shaped like a JWT belong to the JWT handler, not here.</param>
    public static IReadOnlyList<PresentedApiKey> Read(IHeaderDictionary headers, bool jwtConfigured)
    {
        var presented = new List<PresentedApiKey>();
        foreach (var header in KeyHeaders)
        {
            foreach (var value in SplitValues(headers[header]))
            {
                presented.Add(new PresentedApiKey(header, value));
            }
        }

        foreach (var value in headers.Authorization)
        {
            if (ReadAuthorization(value, jwtConfigured) is { } key)
            {
                presented.Add(key);
            }
        }

        return presented;
    }

    /// <summary>True for a bearer token the JWT handler should validate (three dot-separated parts).</summary>
    public static bool IsJwtBearer(string? authorization) =>
        TrySplitScheme(authorization, out var scheme, out var token) &&
        scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) &&
        token.Count(c => c == '.') == 2;

    // A key never holds a comma (options validation refuses one), so commas only ever join repeated values.
    private static IEnumerable<string> SplitValues(StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    private static PresentedApiKey? ReadAuthorization(string? value, bool jwtConfigured)
    {
        if (!TrySplitScheme(value, out var scheme, out var token))
        {
            return null;
        }

        if (scheme.Equals("ApiKey", StringComparison.OrdinalIgnoreCase))
        {
            // Elasticsearch's encoded form is base64("id:key"); the id names the key on their side and is not needed here.
            var encoded = TryDecodeBase64(token);
            var separator = encoded?.IndexOf(':') ?? -1;
            return encoded is not null && separator > 0 && separator < encoded.Length - 1
                ? new PresentedApiKey("Authorization: ApiKey", encoded[(separator + 1)..], token)
                : new PresentedApiKey("Authorization: ApiKey", token);
        }

        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            // Loki convention: user = tenant (or anything), password = the key. A key alone as the user name is accepted too.
            var credentials = TryDecodeBase64(token);
            var colon = credentials?.IndexOf(':') ?? -1;
            if (credentials is null || colon < 0)
            {
                return new PresentedApiKey("Authorization: Basic", null);
            }

            var password = credentials[(colon + 1)..];
            return new PresentedApiKey("Authorization: Basic", password.Length > 0 ? password : credentials[..colon]);
        }

        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && !(jwtConfigured && IsJwtBearer(value)))
        {
            return new PresentedApiKey("Authorization: Bearer", token);
        }

        return null;
    }

    private static bool TrySplitScheme(string? value, out string scheme, out string token)
    {
        var text = (value ?? "").Trim();
        var space = text.IndexOf(' ');
        scheme = space > 0 ? text[..space] : "";
        token = space > 0 ? text[(space + 1)..].Trim() : "";
        return scheme.Length > 0 && token.Length > 0;
    }

    private static string? TryDecodeBase64(string token)
    {
        var bytes = new byte[(token.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(token, bytes, out var length))
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
