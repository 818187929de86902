using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.LoadGen.Measurement;

/// <summary>
/// Samples end-to-end freshness: sends one event carrying a unique marker through ingest, then asks
/// the Stats API for it until it is found. The time from sending to found is how long a log takes
/// to become queryable. Probes use their own service name, so the lookup is an indexed one.
/// </summary>
public sealed class FreshnessProbe(HttpClient ingest, HttpClient stats, TimeSpan pollInterval, TimeSpan giveUpAfter)
{
    public const string ProbeService = "loadgen-probe";

    private long _sent;
    private long _accepted;
    private long _lost;

    public LatencyHistogram Freshness { get; } = new();

    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Probes ingest accepted; they count towards the events that must be stored.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Accepted probes the Stats API never returned within the give-up time.</summary>
    public long NotFound => Volatile.Read(ref _lost);

    /// <summary>Sends a probe every <paramref name="interval"/> until cancelled, and waits for the outstanding ones.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        var outstanding = new List<Task>();
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                outstanding.Add(ProbeOnceAsync());
                outstanding.RemoveAll(t => t.IsCompleted);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(outstanding);
    }

    public async Task ProbeOnceAsync()
    {
        var marker = "probe" + Guid.NewGuid().ToString("N");
        var sentAt = DateTime.UtcNow;
        var body = $$"""{"level":"INFO","service":"{{ProbeService}}","message":"freshness {{marker}}","timestamp":"{{sentAt.ToString("O", CultureInfo.InvariantCulture)}}"}""";
        Interlocked.Increment(ref _sent);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await ingest.PostAsync("/api/logs", content);
            if ((int)response.StatusCode != 202)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            return;
        }

        Interlocked.Increment(ref _accepted);
        var query = $"/api/logs?service={ProbeService}&q={marker}&limit=1&start={Uri.EscapeDataString(sentAt.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture))}";
        while (Stopwatch.GetElapsedTime(started) < giveUpAfter)
        {
            try
            {
                using var answer = await stats.GetAsync(query);
                if (answer.IsSuccessStatusCode)
                {
                    using var json = JsonDocument.Parse(await answer.Content.ReadAsStreamAsync());
                    if (json.RootElement.GetProperty("items").GetArrayLength() > 0)
                    {
                        Freshness.Record(Stopwatch.GetElapsedTime(started));
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(pollInterval);
        }

        Interlocked.Increment(ref _lost);
    }
}
