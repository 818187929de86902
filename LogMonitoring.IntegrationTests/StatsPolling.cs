using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace LogMonitoring.IntegrationTests;

/// <summary>Waits for what was acknowledged to become visible through the stats API.</summary>
internal static class StatsPolling
{
    public static async Task<long> CountAsync(HttpClient stats, string query, CancellationToken cancellationToken)
    {
        using var response = await stats.GetAsync($"/api/logs/count?{query}", cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.GetProperty("count").GetInt64();
    }

    /// <summary>Polls until the count reaches <paramref name="expected"/>; returns the last count seen.</summary>
    public static async Task<long> WaitForCountAsync(HttpClient stats, string query, long expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long count;
        do
        {
            count = await CountAsync(stats, query, cancellationToken);
            if (count >= expected)
            {
                return count;
            }

            await Task.Delay(250, cancellationToken);
        }
        while (clock.Elapsed < timeout);

        return count;
    }

    public static async Task<List<JsonElement>> AllLogsAsync(HttpClient stats, string query, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var url = $"/api/logs?{query}&limit=1000" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await stats.GetFromJsonAsync<JsonElement>(url, cancellationToken);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return items;
    }
}
