namespace LogMonitoring.TestSupport.Monitoring;

/// <summary>
/// The metric names the services export (the project's metric conventions), in Prometheus form, and
/// the standard ones dashboards may also use. A dashboard or rule that reads any other name charts
/// nothing, silently; the tests compare against this list.
/// </summary>
public static class KnownMetrics
{
    public enum Kind { Counter, Gauge, Histogram }

    public static readonly IReadOnlyDictionary<string, Kind> ByService = new Dictionary<string, Kind>
    {
        // ingest
        ["logmon_ingest_events_received_total"] = Kind.Counter,
        ["logmon_ingest_events_accepted_total"] = Kind.Counter,
        ["logmon_ingest_events_rejected_total"] = Kind.Counter,
        ["logmon_ingest_requests_total"] = Kind.Counter,
        ["logmon_ingest_kafka_produce_duration_seconds"] = Kind.Histogram,
        ["logmon_ingest_kafka_produce_errors_total"] = Kind.Counter,
        ["logmon_ingest_producer_queue_depth"] = Kind.Gauge,
        ["logmon_ingest_producer_queue_bytes"] = Kind.Gauge,
        // persister
        ["logmon_persister_events_consumed_total"] = Kind.Counter,
        ["logmon_persister_events_written_total"] = Kind.Counter,
        ["logmon_persister_events_duplicate_total"] = Kind.Counter,
        ["logmon_persister_events_dead_lettered_total"] = Kind.Counter,
        ["logmon_persister_events_lost_total"] = Kind.Counter,
        ["logmon_persister_batch_size"] = Kind.Histogram,
        ["logmon_persister_batch_write_duration_seconds"] = Kind.Histogram,
        ["logmon_persister_consumer_lag"] = Kind.Gauge,
        ["logmon_persister_store_errors_total"] = Kind.Counter,
        ["logmon_logs_stored_total"] = Kind.Counter,
        // stats
        ["logmon_stats_rollup_cycle_duration_seconds"] = Kind.Histogram,
        ["logmon_stats_freshness_lag_seconds"] = Kind.Gauge,
        ["logmon_stats_text_index_behind"] = Kind.Gauge,
        // every service: ASP.NET Core's OpenTelemetry instrumentation
        ["http_server_request_duration_seconds"] = Kind.Histogram,
    };

    /// <summary>Series Prometheus writes itself for every scrape target, not exported by any service.</summary>
    public static readonly IReadOnlySet<string> ByPrometheus = new HashSet<string> { "up" };

    /// <summary>
    /// The kubelet's volume statistics, which Kubernetes' Prometheus scrapes (job kubelet) for the disk
    /// alerts; no LogMonitoring service exports them, and nothing outside Kubernetes has them.
    /// </summary>
    public static readonly IReadOnlySet<string> ByKubelet = new HashSet<string> { "kubelet_volume_stats_available_bytes", "kubelet_volume_stats_capacity_bytes" };

    private static readonly string[] s_histogramSeries = ["_bucket", "_sum", "_count"];

    /// <summary>The conventions' metric a series name belongs to (a histogram's _bucket/_sum/_count included), or null.</summary>
    public static string? MetricOf(string seriesName)
    {
        if (ByService.TryGetValue(seriesName, out var kind))
        {
            // A histogram is only ever read through its _bucket, _sum or _count series.
            return kind == Kind.Histogram ? null : seriesName;
        }

        foreach (var suffix in s_histogramSeries)
        {
            if (seriesName.EndsWith(suffix, StringComparison.Ordinal) &&
                ByService.TryGetValue(seriesName[..^suffix.Length], out var baseKind) && baseKind == Kind.Histogram)
            {
                return seriesName[..^suffix.Length];
            }
        }

        return null;
    }

    public static bool IsKnown(string seriesName) => ByPrometheus.Contains(seriesName) || ByKubelet.Contains(seriesName) || MetricOf(seriesName) is not null;
}
