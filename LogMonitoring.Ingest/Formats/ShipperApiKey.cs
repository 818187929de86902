using Microsoft.Extensions.Primitives;

namespace LogMonitoring.Ingest.Formats;

/// <summary>
/// The one place that finds the API key a shipper sent, wherever its client puts it: Seq clients use the
/// <c>X-Seq-ApiKey</c> header or the <c>apiKey</c> query parameter; other shippers send <c>X-Api-Key</c>.
/// Keys are not checked yet (authentication is its own change, which reads them here); a request that
/// carries one is accepted like any other.
/// </summary>
public static class ShipperApiKey
{
    public const string SeqHeader = "X-Seq-ApiKey";
    public const string Header = "X-Api-Key";
    public const string SeqQueryParameter = "apiKey";

    public static string? Read(HttpRequest request)
    {
        foreach (var value in (ReadOnlySpan<StringValues>)[request.Headers[SeqHeader], request.Headers[Header], request.Query[SeqQueryParameter]])
        {
            if (value.Count > 0 && !string.IsNullOrWhiteSpace(value[0]))
            {
                return value[0]!.Trim();
            }
        }

        return null;
    }
}
