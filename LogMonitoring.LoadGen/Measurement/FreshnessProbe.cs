using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.LoadGen.Measurement;

/// <summary>
/// Samples end-to-end freshness: sends events carrying a unique marker through ingest, and one poller
/// asks the Stats API for the newest probe events until each marker shows up. The time from sending
/// to found is how long a log takes to become queryable. Probes use their own service name, so the
/// lookup is an indexed one, and there is one lookup per poll however many probes are outstanding.
/// </summary>
public sealed class FreshnessProbe(HttpClient ingest, HttpClient stats, TimeSpan pollInterval, TimeSpan giveUpAfter)
{
    public const string ProbeService = "loadgen-probe";

    private readonly ConcurrentDictionary<string, (long SentTimestamp, DateTime SentAt)> _outstanding = new();
    private long _sent;
    private long _accepted;
    private long _notFound;

    public LatencyHistogram Freshness { get; } = new();

    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Probes ingest accepted; they count towards the events that must be stored.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Accepted probes the Stats API did not return within the give-up time.</summary>
    public long NotFound => Volatile.Read(ref _notFound);

    /// <summary>Sends a probe every <paramref name="interval"/> until cancelled, then waits for the outstanding ones.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        using var polling = new CancellationTokenSource();
        var poller = PollAsync(polling.Token);
        var sends = new List<Task>();
        using (var timer = new PeriodicTimer(interval))
        {
            try
            {
                do
                {
                    sends.Add(SendProbeAsync());
                    sends.RemoveAll(t => t.IsCompleted);
                }
                while (await timer.WaitForNextTickAsync(stop));
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(sends);
        var deadline = Stopwatch.GetTimestamp();
        while (!_outstanding.IsEmpty && Stopwatch.GetElapsedTime(deadline) < giveUpAfter)
        {
            await Task.Delay(pollInterval);
        }

        await polling.CancelAsync();
        await poller;
        Interlocked.Add(ref _notFound, _outstanding.Count);
    }

    private async Task SendProbeAsync()
    {
        var marker = "probe" + Guid.NewGuid().ToString("N");
        var sentAt = DateTime.UtcNow;
        var body = $$"""{"level":"INFO","service":"{{ProbeService}}","message":"freshness {{marker}}","timestamp":"{{sentAt.ToString("O", CultureInfo.InvariantCulture)}}"}""";
        Interlocked.Increment(ref _sent);
        // Registered before sending: the poller may see the event before the 202 arrives.
        _outstanding[marker] = (Stopwatch.GetTimestamp(), sentAt);
        try
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await ingest.PostAsync("/api/logs", content);
            if ((int)response.StatusCode == 202)
            {
                Interlocked.Increment(ref _accepted);
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        _outstanding.TryRemove(marker, out _);
    }

    private async Task PollAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(pollInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_outstanding.IsEmpty)
            {
                continue;
            }

            var oldest = _outstanding.Values.Min(p => p.SentAt);
            var query = $"/api/logs?service={ProbeService}&limit=1000&start={Uri.EscapeDataString(oldest.AddSeconds(-5).ToString("O", CultureInfo.InvariantCulture))}";
            try
            {
                using var answer = await stats.GetAsync(query, stop);
                if (answer.IsSuccessStatusCode)
                {
                    using var json = JsonDocument.Parse(await answer.Content.ReadAsStreamAsync(stop));
                    foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
                    {
                        var message = item.GetProperty("message").GetString() ?? "";
                        var marker = message[(message.LastIndexOf(' ') + 1)..];
                        if (_outstanding.TryRemove(marker, out var probe))
                        {
                            Freshness.Record(Stopwatch.GetElapsedTime(probe.SentTimestamp));
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
            {
            }

            // Probes older than the give-up time are counted as not found and no longer looked for.
            foreach (var (marker, probe) in _outstanding)
            {
                if (Stopwatch.GetElapsedTime(probe.SentTimestamp) > giveUpAfter && _outstanding.TryRemove(marker, out _))
                {
                    Interlocked.Increment(ref _notFound);
                }
            }
        }
    }
}
