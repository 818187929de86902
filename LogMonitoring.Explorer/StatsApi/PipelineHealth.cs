using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Explorer.StatsApi;

/// <summary>
/// The pipeline as its own metrics describe it, one figure per question a user asks when logs look late
/// or missing. A figure is null when Prometheus has no series for it (the service has not reported yet).
/// </summary>
public sealed record PipelineHealth(
    double? AcceptedPerSecond,
    double? ConsumerLag,
    double? DeadLetteredLastHour,
    double? LostLastHour,
    double? StatsFreshnessSeconds);

/// <summary>Reads <see cref="PipelineHealth"/> from Prometheus's query API, with the same series the alert rules use.</summary>
public sealed class PrometheusClient(IHttpClientFactory clients, IOptions<ExplorerOptions> options)
{
    public const string ClientName = "prometheus";

    // The alert rules' own expressions (deploy/prometheus/rules), so the page and the alerts agree.
    internal const string AcceptedQuery = "sum(rate(logmon_ingest_events_accepted_total[1m]))";
    internal const string LagQuery = "sum(max by (partition) (logmon_persister_consumer_lag))";
    internal const string DeadLetteredQuery = "sum(increase(logmon_persister_events_dead_lettered_total[1h]))";
    internal const string LostQuery = "sum(increase(logmon_persister_events_lost_total[1h]))";
    internal const string FreshnessQuery = "max(logmon_stats_freshness_lag_seconds)";

    public Uri? Url => options.Value.PrometheusUrl;

    public bool IsConfigured => Url is not null;

    public async Task<PipelineHealth> GetAsync(CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(ClientName);
        var figures = await Task.WhenAll(
            new[] { AcceptedQuery, LagQuery, DeadLetteredQuery, LostQuery, FreshnessQuery }.Select(q => QueryAsync(http, q, cancellationToken)));
        return new PipelineHealth(figures[0], figures[1], figures[2], figures[3], figures[4]);
    }

    /// <summary>One instant query whose answer is a single number (or nothing).</summary>
    private static async Task<double?> QueryAsync(HttpClient http, string query, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query), cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return ReadScalar(body.RootElement);
    }

    /// <summary>The value of a one-series vector answer (<c>{"data":{"result":[{"value":[t,"12.5"]}]}}</c>); null when empty.</summary>
    internal static double? ReadScalar(JsonElement answer)
    {
        if (answer.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException("Prometheus refused the query: " + (answer.TryGetProperty("error", out var e) ? e.GetString() : "no reason given"));
        }

        var result = answer.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
        {
            return null;
        }

        var text = result[0].GetProperty("value")[1].GetString();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
    }
}
