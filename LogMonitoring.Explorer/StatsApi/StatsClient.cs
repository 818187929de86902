using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LogMonitoring.Explorer.Search;
using Microsoft.AspNetCore.WebUtilities;

namespace LogMonitoring.Explorer.StatsApi;

/// <summary>
/// The stats service's public API, called with the user's own key (X-Api-Key header, never the URL).
/// Short calls go through the resilient client; the live tail through one without timeouts or retries,
/// since it is one response that lasts as long as the user watches.
/// </summary>
public sealed class StatsClient(IHttpClientFactory clients)
{
    public const string ClientName = "stats";
    public const string TailClientName = "stats-tail";
    private const string ApiKeyHeader = "X-Api-Key";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public Task<LogPage> SearchAsync(ExplorerView view, string? cursor, int limit, string apiKey, CancellationToken cancellationToken)
    {
        var parameters = view.ApiParameters();
        parameters["limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (cursor is not null)
        {
            parameters["cursor"] = cursor;
        }

        return GetAsync<LogPage>("/api/logs", parameters, apiKey, cancellationToken);
    }

    public async Task<long> CountAsync(ExplorerView view, string apiKey, CancellationToken cancellationToken) =>
        (await GetAsync<LogCount>("/api/logs/count", view.ApiParameters(), apiKey, cancellationToken)).Count;

    public Task<Histogram> HistogramAsync(ExplorerView view, string apiKey, CancellationToken cancellationToken) =>
        GetAsync<Histogram>("/api/logs/histogram", view.ApiParameters(), apiKey, cancellationToken);

    public Task<List<ServiceSummary>> ServicesAsync(string apiKey, CancellationToken cancellationToken) =>
        GetAsync<List<ServiceSummary>>("/api/stats/services", [], apiKey, cancellationToken);

    /// <summary>One service's counts per bucket from the rollups (the services page's sparklines).</summary>
    public Task<Series> SeriesAsync(string service, string interval, string apiKey, CancellationToken cancellationToken) =>
        GetAsync<Series>("/api/stats/series", new() { ["service"] = service, ["interval"] = interval }, apiKey, cancellationToken);

    /// <summary>Checks a key by asking for one log: a key without <c>logs:read</c> is refused here, before it is kept.</summary>
    public Task VerifyKeyAsync(string apiKey, CancellationToken cancellationToken) =>
        GetAsync<LogPage>("/api/logs", new() { ["limit"] = "1" }, apiKey, cancellationToken);

    /// <summary>Newly stored logs matching the view, as the stats service streams them (Server-Sent Events).</summary>
    public async IAsyncEnumerable<LogItem> TailAsync(ExplorerView view, string apiKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = view.ApiParameters();
        // A tail shows what arrives from now on; the view's time range is for searching the past.
        parameters.Remove("start");
        parameters.Remove("end");
        using var request = Request("/api/logs/tail", parameters, apiKey);
        using var response = await clients.CreateClient(TailClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            if (item.EventType == "log" && JsonSerializer.Deserialize<LogItem>(item.Data, s_json) is { } log)
            {
                yield return log;
            }
        }
    }

    private async Task<T> GetAsync<T>(string path, Dictionary<string, string?> parameters, string apiKey, CancellationToken cancellationToken)
    {
        using var request = Request(path, parameters, apiKey);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<T>(s_json, cancellationToken))!;
    }

    private static HttpRequestMessage Request(string path, Dictionary<string, string?> parameters, string apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, QueryHelpers.AddQueryString(path, parameters));
        request.Headers.Add(ApiKeyHeader, apiKey);
        return request;
    }

    /// <summary>Turns a refusal into a message a user can act on: the problem's title and what it says about each parameter.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var message = status switch
        {
            401 => "The API key was not accepted.",
            403 => "The API key lacks the logs:read scope.",
            _ => $"The stats service answered {status} {response.ReasonPhrase}.",
        };
        // A refused key is said plainly; other problems carry their own title and per-parameter errors.
        if (status is not (401 or 403) && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            var details = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
                ? errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join("; ", e.Value.EnumerateArray().Select(v => v.GetString()))}")
                : problem.TryGetProperty("detail", out var d) && d.GetString() is { } detail ? [detail] : [];
            message = string.Join(" ", new[] { title }.Concat(details).Where(s => !string.IsNullOrEmpty(s)));
        }

        throw new StatsApiException(status, message);
    }
}
