using System.Diagnostics;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.Kafka;
using LogMonitoring.Storage;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// Reads the logs topic as one member of the persister group and writes what it reads in batches:
/// up to <see cref="PersisterOptions.BatchSize"/> messages or <see cref="PersisterOptions.BatchWait"/>,
/// whichever comes first; one bulk write; then the offsets are committed. An offset is committed only
/// once every message before it is stored or dead-lettered, so a crash means redelivery, and the
/// store's idempotent writes turn redelivery into "already stored".
/// </summary>
public sealed partial class LogBatchConsumer(
    IConfiguration configuration,
    IOptions<PersisterOptions> options,
    ILogStore store,
    LogStoreInitializer storeInitializer,
    LogEventReader reader,
    DeadLetterProducer deadLetters,
    PersisterMetrics metrics,
    StoreWriteHealth writeHealth,
    ILogger<LogBatchConsumer> logger) : BackgroundService
{
    private readonly PersisterOptions _options = options.Value;
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _pending = [];
    private readonly OffsetGapDetector _gaps = new();
    private long _pendingSince;
    private CancellationToken _stopping;

    // Consume() blocks, so the loop gets a thread of its own instead of a thread-pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            storeInitializer.WaitAsync(stoppingToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var consumer = BuildConsumer();
        consumer.Subscribe(_options.Topic);
        LogStarted(_options.Topic, _options.GroupId);
        var lastLagUpdate = 0L;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = _pending.Count == 0
                    ? TimeSpan.FromMilliseconds(100)
                    : _options.BatchWait - Stopwatch.GetElapsedTime(_pendingSince);
                var result = wait > TimeSpan.Zero ? consumer.Consume(wait) : null;
                if (result is { IsPartitionEOF: false })
                {
                    Accept(result);
                }

                if (_pending.Count >= _options.BatchSize ||
                    (_pending.Count > 0 && Stopwatch.GetElapsedTime(_pendingSince) >= _options.BatchWait))
                {
                    Flush(consumer, stoppingToken);
                }

                if (Stopwatch.GetElapsedTime(lastLagUpdate) > TimeSpan.FromSeconds(1))
                {
                    UpdateLag(consumer);
                    lastLagUpdate = Stopwatch.GetTimestamp();
                }
            }
            catch (ConsumeException ex)
            {
                LogConsumeError(ex, ex.Error.Code, ex.Error.Reason);
                if (ex.Error.IsFatal)
                {
                    throw;
                }
            }
            catch (KafkaException ex) when (!ex.Error.IsFatal)
            {
                LogConsumeError(ex, ex.Error.Code, ex.Error.Reason);
            }
        }

        // Shutdown: write and commit the batch in hand, then leave the group so its partitions move at once.
        using (var drain = new CancellationTokenSource(_options.ShutdownWriteTimeout))
        {
            Flush(consumer, drain.Token);
        }

        consumer.Close();
        LogStopped();
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = PersisterConsumerConfig.Create(_options, configuration);

        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((c, partitions) => OnAssigned(c, partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetErrorHandler((_, error) => LogKafkaError(error.Code, error.Reason))
            .Build();
    }

    private void Accept(ConsumeResult<byte[]?, byte[]?> result)
    {
        var gap = _gaps.Observe(result.TopicPartition, result.Offset.Value);
        if (gap > 0)
        {
            metrics.Lost(gap);
            LogLost(gap, result.Topic, result.Partition.Value, result.Offset.Value - gap, result.Offset.Value - 1);
        }

        if (_pending.Count == 0)
        {
            _pendingSince = Stopwatch.GetTimestamp();
        }

        _pending.Add(result);
        metrics.Consumed(1);
    }

    /// <summary>Stores the pending batch, dead-letters what cannot be stored, then commits.</summary>
    private void Flush(IConsumer<byte[]?, byte[]?> consumer, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var events = new List<LogEvent>(_pending.Count);
        var rejected = new List<(ConsumeResult<byte[]?, byte[]?> Message, string Reason, string Category)>();
        var errors = new List<LogEventError>();
        foreach (var message in _pending)
        {
            errors.Clear();
            if (message.Message.Value is not { Length: > 0 } value)
            {
                rejected.Add((message, "event: the message has no value", "empty"));
            }
            else if (reader.ReadFromTopic(value, LogEventId.ForKafkaPosition(message.Topic, message.Partition.Value, message.Offset.Value), errors) is { } logEvent)
            {
                events.Add(logEvent);
            }
            else
            {
                rejected.Add((message, string.Join("; ", errors), Categorize(errors)));
            }
        }

        if (!Retry("dead-letter", () => Task.WhenAll(rejected.Select(r => deadLetters.SendAsync(r.Message, r.Reason, cancellationToken))), cancellationToken))
        {
            return;
        }

        foreach (var r in rejected)
        {
            metrics.DeadLettered(r.Category);
            LogDeadLettered(r.Message.Topic, r.Message.Partition.Value, r.Message.Offset.Value, r.Reason);
        }

        LogWriteResult? written = null;
        var started = Stopwatch.GetTimestamp();
        if (!Retry("store", async () => written = await store.WriteBatchAsync(events, cancellationToken), cancellationToken, writeHealth))
        {
            return;
        }

        metrics.Written(events, written!.DuplicateIndexes, Stopwatch.GetElapsedTime(started));
        Commit(consumer);
        _pending.Clear();
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer)
    {
        var offsets = _pending
            .GroupBy(m => m.TopicPartition)
            .Select(g => new TopicPartitionOffset(g.Key, new Offset(g.Max(m => m.Offset.Value) + 1)))
            .ToList();
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException ex)
        {
            // The batch is stored; if the commit is lost, the next owner rereads it and finds duplicates.
            LogCommitFailed(ex, ex.Error.Reason);
        }
    }

    /// <summary>Runs <paramref name="action"/> until it succeeds, backing off; false if cancelled first.</summary>
    /// <param name="health">Told of each failure and of the success, for the store write only.</param>
    private bool Retry(string what, Func<Task> action, CancellationToken cancellationToken, StoreWriteHealth? health = null)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                action().GetAwaiter().GetResult();
                health?.Succeeded();

                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (health is not null)
                {
                    metrics.StoreError();
                    health.Failed(ex.Message);
                }

                LogRetrying(ex, what, _pending.Count, delay);
            }
            catch (OperationCanceledException)
            {
                LogAbandoned(what, _pending.Count);
                return false;
            }

            if (cancellationToken.WaitHandle.WaitOne(delay))
            {
                LogAbandoned(what, _pending.Count);
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        try
        {
            foreach (var committed in consumer.Committed(partitions, TimeSpan.FromSeconds(10)))
            {
                _gaps.Assigned(committed.TopicPartition, committed.Offset);
            }
        }
        catch (KafkaException ex)
        {
            // Without the committed offsets the first gap of each partition goes unchecked; later ones are still seen.
            LogCommitFailed(ex, ex.Error.Reason);
        }

        LogAssigned(string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        // We still own these partitions until this handler returns: store and commit what we hold.
        Flush(consumer, _stopping.IsCancellationRequested ? new CancellationTokenSource(_options.ShutdownWriteTimeout).Token : _stopping);
        _pending.Clear();
        foreach (var p in partitions)
        {
            _gaps.Revoked(p.TopicPartition);
            metrics.ForgetPartition(p.Partition.Value);
        }

        LogRevoked(string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        // Another member owns them already; what we hold will be stored by it (idempotently).
        var lost = partitions.Select(p => p.TopicPartition).ToHashSet();
        _pending.RemoveAll(m => lost.Contains(m.TopicPartition));
        foreach (var p in lost)
        {
            _gaps.Revoked(p);
            metrics.ForgetPartition(p.Partition.Value);
        }
    }

    private void UpdateLag(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var partition in consumer.Assignment)
        {
            var watermarks = consumer.GetWatermarkOffsets(partition);
            var position = consumer.Position(partition);
            if (watermarks.High.Value >= 0 && position.Value >= 0)
            {
                metrics.SetLag(partition.Partition.Value, Math.Max(0, watermarks.High.Value - position.Value));
            }
        }
    }

    private static string Categorize(List<LogEventError> errors) =>
        errors.Count == 0 ? "invalid"
        : errors[0].Code == LogEventErrorCodes.NotJson ? "not_json"
        : errors.Any(e => e.IsOverSizeLimit) ? "too_large"
        : "invalid";

    [LoggerMessage(Level = LogLevel.Information, Message = "Persister consuming '{Topic}' as group '{GroupId}'")]
    private partial void LogStarted(string topic, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Persister left the group")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned partitions {Partitions}")]
    private partial void LogAssigned(string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked partitions {Partitions}")]
    private partial void LogRevoked(string partitions);

    [LoggerMessage(Level = LogLevel.Error, Message = "LOST {Count} messages: {Topic}[{Partition}] offsets {From}-{To} were gone from Kafka before the persister read them")]
    private partial void LogLost(long count, string topic, int partition, long from, long to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}")]
    private partial void LogDeadLettered(string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} write of a batch of {Count} failed; retrying in {Delay}")]
    private partial void LogRetrying(Exception ex, string what, int count, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up the {What} write of a batch of {Count} at shutdown; it stays uncommitted and will be redelivered")]
    private partial void LogAbandoned(string what, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offset commit failed: {Reason}")]
    private partial void LogCommitFailed(Exception ex, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error {Code}: {Reason}")]
    private partial void LogConsumeError(Exception ex, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consumer error {Code}: {Reason}")]
    private partial void LogKafkaError(ErrorCode code, string reason);
}
