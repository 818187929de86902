using System.Diagnostics.Metrics;

namespace LogMonitoring.Ingest;

/// <summary>
/// Ingest's instruments. Exported to Prometheus as <c>logmon_ingest_*</c>; the dashboards and alert
/// rules in the repository use exactly these names.
/// </summary>
public sealed class IngestMetrics
{
    public const string MeterName = "LogMonitoring.Ingest";

    private readonly Counter<long> _received;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _produceDuration;
    private readonly Counter<long> _produceErrors;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>("logmon.ingest.events.received", "{event}", "Events in ingest requests, valid or not.");
        _accepted = meter.CreateCounter<long>("logmon.ingest.events.accepted", "{event}", "Events acknowledged by Kafka and answered with 202.");
        _rejected = meter.CreateCounter<long>("logmon.ingest.events.rejected", "{event}", "Events refused, by reason.");
        _requests = meter.CreateCounter<long>("logmon.ingest.requests", "{request}", "Ingest requests by HTTP status code.");
        _produceDuration = meter.CreateHistogram<double>("logmon.ingest.kafka.produce.duration", "s", "Time from producing a request's events until Kafka acknowledged the last one.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _produceErrors = meter.CreateCounter<long>("logmon.ingest.kafka.produce.errors", "{error}", "Events Kafka did not acknowledge, by error code.");
        InFlight = () => 0;
        meter.CreateObservableGauge("logmon.ingest.producer.queue.depth", () => InFlight(), "{event}", "Events produced and waiting for Kafka's acknowledgement.");
        InFlightBytes = () => 0;
        meter.CreateObservableGauge("logmon.ingest.producer.queue.bytes", () => InFlightBytes(), "By", "Bytes of events produced and waiting for Kafka's acknowledgement (bounded by Ingest:MaxInFlightBytes).");
    }

    /// <summary>Set by the producer when it is created, so the gauge reads the live bytes waiting.</summary>
    public Func<long> InFlightBytes { get; set; }

    /// <summary>Set by the producer when it is created, so the gauge reads the live queue depth.</summary>
    public Func<int> InFlight { get; set; }

    // Every count carries the format it arrived in (native, clef, otlp, loki, elasticsearch_bulk, gelf).
    public void Received(int count, string format) => _received.Add(count, Format(format));

    public void Accepted(int count, string format) => _accepted.Add(count, Format(format));

    public void Rejected(int count, string reason, string format) =>
        _rejected.Add(count, new KeyValuePair<string, object?>("reason", reason), Format(format));

    public void Request(int statusCode, string format) =>
        _requests.Add(1, new KeyValuePair<string, object?>("code", statusCode), Format(format));

    private static KeyValuePair<string, object?> Format(string format) => new("format", format);

    public void ProduceCompleted(TimeSpan elapsed) => _produceDuration.Record(elapsed.TotalSeconds);

    public void ProduceFailed(string code) =>
        _produceErrors.Add(1, new KeyValuePair<string, object?>("code", code));
}
