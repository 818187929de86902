using System.Net.Http.Headers;

namespace LogMonitoring.Simulator.Traffic;

/// <summary>Posts NDJSON bodies to the ingest API (a typed client: base address, retries and discovery come from configuration).</summary>
public sealed class IngestSender(HttpClient http)
{
    private static readonly MediaTypeHeaderValue s_ndjson = new("application/x-ndjson");

    /// <summary>True when ingest answered 202; the status code otherwise.</summary>
    public async Task<(bool Accepted, int Status)> SendAsync(byte[] ndjson, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(ndjson);
        content.Headers.ContentType = s_ndjson;
        using var response = await http.PostAsync("/api/logs", content, cancellationToken);
        return (response.IsSuccessStatusCode, (int)response.StatusCode);
    }
}
