using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LogMonitoring.Contracts;

namespace LogMonitoring.Persister;

/// <summary>
/// The persister's instruments, exported to Prometheus as <c>logmon_persister_*</c> and
/// <c>logmon_logs_stored_total</c>; the dashboards and alert rules use exactly these names.
/// </summary>
public sealed class PersisterMetrics
{
    public const string MeterName = "LogMonitoring.Persister";

    private readonly Counter<long> _consumed;
    private readonly Counter<long> _written;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _lost;
    private readonly Counter<long> _storeErrors;
    private readonly Counter<long> _deadLetterErrors;
    private readonly Counter<long> _commitErrors;
    private readonly Counter<long> _stored;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<double> _writeDuration;
    private readonly ConcurrentDictionary<int, long> _lag = new();

    public PersisterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _consumed = meter.CreateCounter<long>("logmon.persister.events.consumed", "{event}", "Messages read from the logs topic.");
        _written = meter.CreateCounter<long>("logmon.persister.events.written", "{event}", "Events newly stored.");
        _duplicates = meter.CreateCounter<long>("logmon.persister.events.duplicate", "{event}", "Events already stored (redelivery or a sender's retry), skipped.");
        _deadLettered = meter.CreateCounter<long>("logmon.persister.events.dead_lettered", "{event}", "Messages sent to the dead-letter topic, by reason.");
        _lost = meter.CreateCounter<long>("logmon.persister.events.lost", "{event}", "Messages Kafka no longer had when the persister reached them (offset gaps).");
        _storeErrors = meter.CreateCounter<long>("logmon.persister.store.errors", "{error}", "Failed batch writes (each is retried).");
        _commitErrors = meter.CreateCounter<long>("logmon.persister.commit.errors", "{error}", "Offset commits that failed after their batch was stored (the batch is read again by the partition's next owner, and found stored).");
        _deadLetterErrors = meter.CreateCounter<long>("logmon.persister.dead_letter.errors", "{error}", "Dead letters the dead-letter topic did not take in time (each is retried, never sent twice).");
        _stored = meter.CreateCounter<long>("logmon.logs.stored", "{event}", "Events stored, by service and level.");
        _batchSize = meter.CreateHistogram<long>("logmon.persister.batch.size", "{event}", "Events per written batch.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000] });
        _writeDuration = meter.CreateHistogram<double>("logmon.persister.batch.write.duration", "s", "Time to write one batch to the store.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableGauge("logmon.persister.consumer.lag", ObserveLag, "{message}", "Messages in each assigned partition not yet consumed.");
    }

    public void Consumed(int count) => _consumed.Add(count);

    public void Written(IReadOnlyList<LogEvent> batch, IReadOnlyList<int> duplicateIndexes, TimeSpan elapsed)
    {
        _written.Add(batch.Count - duplicateIndexes.Count);
        _duplicates.Add(duplicateIndexes.Count);
        _batchSize.Record(batch.Count);
        _writeDuration.Record(elapsed.TotalSeconds);

        // Counted per (service, level) pair rather than per event: a batch has few distinct pairs.
        var counts = new Dictionary<(string, LogEventLevel), long>();
        var skip = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (skip < duplicateIndexes.Count && duplicateIndexes[skip] == i)
            {
                skip++;
                continue;
            }

            var key = (batch[i].Service, batch[i].Level);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach (var ((service, level), count) in counts)
        {
            _stored.Add(count, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("level", level.ToWireName()));
        }
    }

    public void DeadLettered(string reason) =>
        _deadLettered.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Lost(long count) => _lost.Add(count);

    public void StoreError() => _storeErrors.Add(1);

    public void CommitError() => _commitErrors.Add(1);

    public void DeadLetterError() => _deadLetterErrors.Add(1);

    public void SetLag(int partition, long lag) => _lag[partition] = lag;

    public void ForgetPartition(int partition) => _lag.TryRemove(partition, out _);

    private IEnumerable<Measurement<long>> ObserveLag() =>
        _lag.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("partition", p.Key)));
}
