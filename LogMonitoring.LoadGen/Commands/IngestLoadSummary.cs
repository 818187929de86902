using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.LoadGen.Commands;

/// <summary>Percentiles in milliseconds, as the summary prints them.</summary>
public sealed record Percentiles(long Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static Percentiles Of(LatencyHistogram histogram) => new(
        histogram.Count,
        Milliseconds(histogram.ValueAtPercentile(50)),
        Milliseconds(histogram.ValueAtPercentile(95)),
        Milliseconds(histogram.ValueAtPercentile(99)),
        Milliseconds(histogram.Max),
        Math.Round(histogram.Mean / 1000, 2));

    private static double Milliseconds(long microseconds) => Math.Round(microseconds / 1000.0, 2);
}

public sealed record FreshnessSummary(long Sent, long Accepted, long NotFound, Percentiles Milliseconds);

/// <summary>The result of one load run; printed as JSON with <c>--json</c>.</summary>
public sealed record IngestLoadSummary(
    string Mode,
    string Format,
    int BatchSize,
    int Concurrency,
    double TargetRate,
    double DurationSeconds,
    long Requests,
    long EventsSent,
    long Accepted,
    long Rejected,
    long FailedEvents,
    double AcceptedPerSecond,
    IReadOnlyDictionary<string, long> Outcomes,
    Percentiles LatencyMs,
    FreshnessSummary? Freshness,
    StoredCheck? Stored)
{
    public static IngestLoadSummary From(IngestLoadOptions options, RunCounters counters, TimeSpan elapsed, FreshnessProbe? probe, StoredCheck? stored) => new(
        options.Mode.ToString().ToLowerInvariant(),
        options.Format.ToString().ToLowerInvariant(),
        options.Format == Generation.BodyFormat.Single ? 1 : options.BatchSize,
        options.Concurrency,
        options.Mode == LoadMode.Rate ? options.Rate : 0,
        Math.Round(elapsed.TotalSeconds, 3),
        counters.Requests,
        counters.EventsSent,
        counters.Accepted,
        counters.Rejected,
        counters.FailedEvents,
        Math.Round(counters.Accepted / elapsed.TotalSeconds, 1),
        new SortedDictionary<string, long>(counters.Outcomes),
        Percentiles.Of(counters.Latency),
        probe is null ? null : new FreshnessSummary(probe.Sent, probe.Accepted, probe.NotFound, Percentiles.Of(probe.Freshness)),
        stored);

    public IEnumerable<string> Describe()
    {
        yield return $"{Mode} {Format} x{BatchSize}, concurrency {Concurrency}{(TargetRate > 0 ? $", target {TargetRate:N0} ev/s" : "")}, {DurationSeconds:0.#} s";
        yield return $"  accepted {Accepted:N0} ({AcceptedPerSecond:N0} ev/s), rejected {Rejected:N0}, failed {FailedEvents:N0}, requests {Requests:N0} [{string.Join(", ", Outcomes.Select(o => $"{o.Key}: {o.Value:N0}"))}]";
        yield return $"  request latency ms: p50 {LatencyMs.P50}  p95 {LatencyMs.P95}  p99 {LatencyMs.P99}  max {LatencyMs.Max}";
        if (Freshness is { } f)
        {
            yield return $"  freshness ms ({f.Milliseconds.Count} of {f.Sent} probes found, {f.NotFound} not found): p50 {f.Milliseconds.P50}  p95 {f.Milliseconds.P95}  p99 {f.Milliseconds.P99}  max {f.Milliseconds.Max}";
        }

        if (Stored is { } s)
        {
            yield return $"  stored: {s.After - s.Before:N0} of {s.Expected - s.Before:N0} accepted ({s.Missing:N0} missing), settled {s.SettleSeconds:0.0} s after the last send";
        }
    }
}
