using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.LoadGen.Commands;

public enum LoadMode
{
    /// <summary>Open loop: requests leave at a constant rate whatever the answers.</summary>
    Rate,

    /// <summary>Closed loop: each of the concurrent senders sends its next request as soon as the last is answered.</summary>
    Max,
}

public sealed record IngestLoadOptions
{
    public required Uri IngestUrl { get; init; }

    public Uri? StatsUrl { get; init; }

    public LoadMode Mode { get; init; } = LoadMode.Rate;

    public double Rate { get; init; } = 10_000;

    public int BatchSize { get; init; } = 500;

    public int Concurrency { get; init; } = 16;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int EventBytes { get; init; } = 300;

    public BodyFormat Format { get; init; } = BodyFormat.Ndjson;

    /// <summary>Zero disables freshness probes.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After sending, wait until the Stats API counts every accepted event (needs <see cref="StatsUrl"/>).</summary>
    public bool VerifyStored { get; init; }

    /// <summary>How long the stored count may stand still before the check gives up.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool Quiet { get; init; }

    /// <summary>HTTP/2 without TLS to ingest, many requests per connection; otherwise HTTP/1.1 with keep-alive.</summary>
    public bool Http2 { get; init; }
}

/// <summary>Drives the ingest API with one of the load modes and measures what it answered.</summary>
public sealed class IngestLoad(IngestLoadOptions options)
{
    private readonly RunCounters _counters = new();

    public async Task<IngestLoadSummary> RunAsync(CancellationToken cancellationToken)
    {
        using var ingest = CreateClient(options.IngestUrl, options.Concurrency + 8, options.Http2);
        using var stats = options.StatsUrl is null ? null : CreateClient(options.StatsUrl, 16);
        var bodies = RequestBodies.Build(new SyntheticEvents(options.EventBytes), options.Format, options.BatchSize,
            options.Format == BodyFormat.Single ? 1024 : 32, DateTime.UtcNow);
        var storedBefore = stats is not null && options.VerifyStored ? await CountStoredAsync(stats, cancellationToken) : 0;

        var probe = stats is not null && options.ProbeInterval > TimeSpan.Zero
            ? new FreshnessProbe(ingest, stats, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30))
            : null;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(options.Duration);
        var started = Stopwatch.GetTimestamp();
        var progress = ReportProgressAsync(started, stop.Token);
        var probing = probe?.RunAsync(options.ProbeInterval, stop.Token) ?? Task.CompletedTask;
        var sending = options.Mode == LoadMode.Rate
            ? SendAtRateAsync(ingest, bodies, started, stop.Token)
            : SendAtMaxAsync(ingest, bodies, stop.Token);
        await sending;
        var elapsed = Stopwatch.GetElapsedTime(started);
        await probing;
        await progress;

        StoredCheck? stored = null;
        if (stats is not null && options.VerifyStored)
        {
            var expected = storedBefore + _counters.Accepted + (probe?.Accepted ?? 0);
            stored = await WaitForStoredAsync(stats, storedBefore, expected, cancellationToken);
        }

        return IngestLoadSummary.From(options, _counters, elapsed, probe, stored);
    }

    private async Task SendAtRateAsync(HttpClient http, IReadOnlyList<RequestBody> bodies, long started, CancellationToken stop)
    {
        var schedule = new OpenLoopSchedule(options.Rate, bodies[0].Events);
        using var slots = new SemaphoreSlim(options.Concurrency);
        var inFlight = new List<Task>();
        long next = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = schedule.DueAt(next);
            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            // A full set of slots delays the send, not the clock: the wait counts as latency.
            try
            {
                await slots.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var body = bodies[(int)(next % bodies.Count)];
            var dueTimestamp = started + (long)(due.TotalSeconds * Stopwatch.Frequency);
            inFlight.Add(SendAsync(http, body, dueTimestamp).ContinueWith(_ => slots.Release(), TaskScheduler.Default));
            next++;
            if (inFlight.Count > 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendAtMaxAsync(HttpClient http, IReadOnlyList<RequestBody> bodies, CancellationToken stop)
    {
        var senders = Enumerable.Range(0, options.Concurrency).Select(async sender =>
        {
            var i = sender;
            while (!stop.IsCancellationRequested)
            {
                await SendAsync(http, bodies[i % bodies.Count], Stopwatch.GetTimestamp());
                i += options.Concurrency;
            }
        });
        await Task.WhenAll(senders);
    }

    private async Task SendAsync(HttpClient http, RequestBody body, long measuredFrom)
    {
        string outcome;
        int accepted = 0, rejected = 0;
        try
        {
            using var content = new ByteArrayContent(body.Content);
            content.Headers.ContentType = new MediaTypeHeaderValue(body.MediaType);
            using var response = await http.PostAsync("/api/logs", content);
            var answer = await response.Content.ReadAsByteArrayAsync();
            outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if ((int)response.StatusCode == 202)
            {
                (accepted, rejected) = RequestBodies.ReadIngestAnswer(answer);
            }
            else if ((int)response.StatusCode == 400)
            {
                rejected = body.Events;
            }
        }
        catch (HttpRequestException ex)
        {
            outcome = "error:" + (ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException)
        {
            outcome = "timeout";
        }

        _counters.Answered(outcome, body.Events, accepted, rejected, Stopwatch.GetElapsedTime(measuredFrom));
    }

    private async Task ReportProgressAsync(long started, CancellationToken stop)
    {
        if (options.Quiet)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long lastAccepted = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var accepted = _counters.Accepted;
                Console.Error.WriteLine(
                    $"[{Stopwatch.GetElapsedTime(started).TotalSeconds,5:0}s] {accepted - lastAccepted,8:N0} ev/s  accepted {accepted:N0}  " +
                    $"rejected {_counters.Rejected:N0}  failed {_counters.FailedEvents:N0}  p99 {_counters.Latency.ValueAtPercentile(99) / 1000.0:0.0} ms");
                lastAccepted = accepted;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<StoredCheck> WaitForStoredAsync(HttpClient stats, long before, long expected, CancellationToken cancellationToken)
    {
        var lastChange = Stopwatch.GetTimestamp();
        var started = Stopwatch.GetTimestamp();
        var count = await CountStoredAsync(stats, cancellationToken);
        while (count < expected && Stopwatch.GetElapsedTime(lastChange) < options.SettleTimeout)
        {
            await Task.Delay(250, cancellationToken);
            var now = await CountStoredAsync(stats, cancellationToken);
            if (now != count)
            {
                lastChange = Stopwatch.GetTimestamp();
            }

            count = now;
        }

        return new StoredCheck(before, count, expected, Math.Max(0, expected - count), Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static async Task<long> CountStoredAsync(HttpClient stats, CancellationToken cancellationToken)
    {
        using var json = JsonDocument.Parse(await stats.GetStringAsync("/api/logs/count", cancellationToken));
        return json.RootElement.GetProperty("count").GetInt64();
    }

    private static HttpClient CreateClient(Uri baseAddress, int connections, bool http2 = false) => ApiKey.Apply(new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        // Past 100 streams on one connection (Kestrel's default limit), open another instead of queueing.
        EnableMultipleHttp2Connections = true,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestVersion = http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    });
}

/// <param name="Before">Stored count before the run.</param>
/// <param name="After">Stored count once it stopped growing (or reached the expected count).</param>
/// <param name="Expected">Before plus every event ingest accepted during the run.</param>
/// <param name="Missing">Accepted events the Stats API does not count.</param>
/// <param name="SettleSeconds">How long after the last send the count took to settle.</param>
public sealed record StoredCheck(long Before, long After, long Expected, long Missing, double SettleSeconds);
