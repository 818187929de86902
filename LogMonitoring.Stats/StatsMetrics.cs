using System.Diagnostics.Metrics;

namespace LogMonitoring.Stats;

/// <summary>The stats service's instruments, exported to Prometheus as <c>logmon_stats_*</c>.</summary>
public sealed class StatsMetrics
{
    public const string MeterName = "LogMonitoring.Stats";

    private readonly Histogram<double> _cycleDuration;
    private double _freshnessLag;
    private long _textIndexBehind;
    private int _textIndexYielding;

    public StatsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _cycleDuration = meter.CreateHistogram<double>("logmon.stats.rollup.cycle.duration", "s", "Time one rollup cycle took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableGauge("logmon.stats.freshness.lag", () => Volatile.Read(ref _freshnessLag), "s",
            "How far the rollups trail the newest stored log.");
        meter.CreateObservableGauge("logmon.stats.text_index.behind", () => Volatile.Read(ref _textIndexBehind), null,
            "Stored logs not yet in the SQLite text index (text search checks them one by one).");
        meter.CreateObservableGauge("logmon.stats.text_index.yielding", () => Volatile.Read(ref _textIndexYielding), null,
            "1 while the SQLite text index leaves the write lock to persisters that are behind, else 0.");
    }

    public void CycleCompleted(TimeSpan elapsed) => _cycleDuration.Record(elapsed.TotalSeconds);

    public void SetTextIndexBehind(long logs) => Volatile.Write(ref _textIndexBehind, Math.Max(0, logs));

    public void SetTextIndexYielding(bool yielding) => Volatile.Write(ref _textIndexYielding, yielding ? 1 : 0);

    public void SetFreshnessLag(TimeSpan lag) => Volatile.Write(ref _freshnessLag, Math.Max(0, lag.TotalSeconds));
}
