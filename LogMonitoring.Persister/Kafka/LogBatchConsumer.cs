using System.Diagnostics;
using Confluent.Kafka;
using LogMonitoring.Kafka;
using LogMonitoring.Persister.Batches;
using LogMonitoring.Storage;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// The poll loop of one member of the persister group: reads the logs topic into a <see cref="PendingBatch"/>,
/// hands it to the <see cref="LogBatchWriter"/> when it holds <see cref="PersisterOptions.BatchSize"/> messages
/// or its first has waited <see cref="PersisterOptions.BatchWait"/>, and commits the offsets once it is written,
/// so a crash means redelivery, which the store's idempotent writes turn into "already stored".
/// When the store (or the dead-letter topic) is away, the write is retried on a <see cref="BackoffSchedule"/>
/// with the assigned partitions paused: the loop keeps polling, so the member keeps its place in the group,
/// readiness answers 503 meanwhile, and the partitions resume by themselves after the first write that succeeds.
/// </summary>
public sealed partial class LogBatchConsumer(
    IKafkaClientFactory clients,
    IOptions<PersisterOptions> options,
    LogStoreInitializer storeInitializer,
    LogBatchWriter writer,
    PersisterMetrics metrics,
    StoreWriteHealth writeHealth,
    KafkaFatalErrors fatalErrors,
    ConsumerProgress progress,
    IdleBacklogLook idleLook,
    ILogger<LogBatchConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);

    private readonly PersisterOptions _options = options.Value;
    private readonly PendingBatch _pending = new();
    private readonly OffsetGapDetector _gaps = new();
    private readonly UncommittedOffsets _uncommitted = new();
    private readonly BackoffSchedule _backoff = new(options.Value.MaxRetryDelay);
    private long? _retryAt;
    private bool _newlyAssigned;
    private bool _consumedThisSecond;

    // Partitions assigned but not fetched from yet, with their committed offsets: their lag is asked of the broker once.
    private readonly Dictionary<TopicPartition, Offset> _lagUnknown = [];

    /// <summary>True while a failed batch waits for its retry, with the assigned partitions paused.</summary>
    public bool IsBackingOff => _retryAt is not null;

    // Consume() blocks, so the loop gets a thread of its own instead of a thread-pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
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
                var result = consumer.Consume(NextWait());
                if (result is { IsPartitionEOF: false })
                {
                    Accept(result);
                }

                if (IsBackingOff)
                {
                    // A partition assigned during the outage is paused like the rest.
                    consumer.Pause(consumer.Assignment);
                }
                else if (_newlyAssigned)
                {
                    // librdkafka keeps a partition's pause across a rebalance: one paused before it was
                    // revoked comes back paused, even after the outage ended. Resuming one not paused is harmless.
                    consumer.Resume(consumer.Assignment);
                    _newlyAssigned = false;
                }

                if (IsDue())
                {
                    WriteAndCommit(consumer, stoppingToken);
                }

                if (Stopwatch.GetElapsedTime(lastLagUpdate) > TimeSpan.FromSeconds(1))
                {
                    UpdateLag(consumer);
                    CommitAgain(consumer);
                    ReportProgress(consumer);
                    lastLagUpdate = Stopwatch.GetTimestamp();
                }
            }
            catch (ConsumeException ex)
            {
                LogConsumeError(ex, ex.Error.Code, ex.Error.Reason);
                fatalErrors.Observe("consumer", ex.Error);
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

        Drain(consumer);
        consumer.Close();
        LogStopped();
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer() => clients.CreateConsumer(
        PersisterConsumerConfig.Create(_options),
        builder => builder
            .SetPartitionsAssignedHandler((c, partitions) => OnAssigned(c, partitions))
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetErrorHandler((_, error) =>
            {
                LogKafkaError(error.Code, error.Reason);
                fatalErrors.Observe("consumer", error);
            }));

    /// <summary>How long the next poll may block: until the batch is due, or the retry, never past either.</summary>
    private TimeSpan NextWait()
    {
        var wait = _retryAt is { } retryAt
            ? Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), retryAt)
            : _pending.Count == 0 ? IdlePoll : _options.BatchWait - _pending.Age;
        return wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > IdlePoll * 10 ? IdlePoll * 10 : wait;
    }

    private bool IsDue() =>
        _retryAt is { } retryAt
            ? Stopwatch.GetTimestamp() >= retryAt
            : _pending.Count >= _options.BatchSize || (_pending.Count > 0 && _pending.Age >= _options.BatchWait);

    private void Accept(ConsumeResult<byte[]?, byte[]?> result)
    {
        var gap = _gaps.Observe(result.TopicPartition, result.Offset.Value);
        if (gap > 0)
        {
            metrics.Lost(gap);
            LogLost(gap, result.Topic, result.Partition.Value, result.Offset.Value - gap, result.Offset.Value - 1);
        }

        _pending.Add(result);
        metrics.Consumed(1);
        _consumedThisSecond = true;
    }

    /// <summary>Once a second, not per message: the stall timeout is minutes, and this loop turns per message.</summary>
    private void ReportProgress(IConsumer<byte[]?, byte[]?> consumer)
    {
        progress.Turned();
        if (_consumedThisSecond)
        {
            progress.Consumed();
            _consumedThisSecond = false;
        }

        idleLook.LookIfIdle(consumer, IsBackingOff);
    }

    /// <summary>Writes the batch once; on success commits and resumes, on failure pauses and schedules the retry.</summary>
    private bool WriteAndCommit(IConsumer<byte[]?, byte[]?> consumer, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            EndBackoff(consumer);
            return true;
        }

        BatchWriteOutcome outcome;
        try
        {
            outcome = writer.WriteAsync(_pending, cancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            outcome = new BatchWriteOutcome("the write was cancelled (shutting down or rebalancing)");
        }

        if (!outcome.Succeeded)
        {
            writeHealth.Failed(outcome.Failure!);
            var delay = _backoff.NextDelay();
            if (_retryAt is null)
            {
                consumer.Pause(consumer.Assignment);
                LogPaused(outcome.Failure!);
            }

            _retryAt = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
            LogRetrying(_pending.Count, delay);
            return false;
        }

        Commit(consumer);
        _pending.Clear();
        EndBackoff(consumer);
        return true;
    }

    private void EndBackoff(IConsumer<byte[]?, byte[]?> consumer)
    {
        writeHealth.Succeeded();
        if (_retryAt is not null)
        {
            _retryAt = null;
            consumer.Resume(consumer.Assignment);
            LogResumed(_backoff.Failures);
        }

        _backoff.Reset();
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer)
    {
        var offsets = _pending.CommitOffsets();
        if (TryCommit(consumer, offsets) is { } failure)
        {
            // The batch is stored: its offsets are committed again from the poll loop (see UncommittedOffsets).
            LogCommitFailed(failure, failure.Error.Reason);
            _uncommitted.Add(offsets);
        }
    }

    /// <summary>Commits again the stored batches' offsets a failed commit left behind, on partitions still held.</summary>
    private void CommitAgain(IConsumer<byte[]?, byte[]?> consumer)
    {
        var offsets = _uncommitted.Count == 0 ? [] : _uncommitted.For(consumer.Assignment);
        if (offsets.Count == 0)
        {
            return;
        }

        if (TryCommit(consumer, offsets) is { } failure)
        {
            // Tried again at the next turn; the first failure was logged as a warning.
            LogCommitAgainFailed(failure.Error.Reason);
        }
        else
        {
            LogCommittedAgain(string.Join(", ", offsets.Select(o => $"{o.Partition.Value}@{o.Offset.Value}")));
        }
    }

    /// <summary>Commits, and records the outcome for the retry, the metric and liveness; the failure is returned for the caller to log.</summary>
    private KafkaException? TryCommit(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
            _uncommitted.Committed(offsets);
            progress.CommitSucceeded();
            return null;
        }
        catch (KafkaException ex)
        {
            metrics.CommitError();
            progress.CommitFailed();
            return ex;
        }
    }

    /// <summary>Shutdown: keep trying to write the batch in hand for <see cref="PersisterOptions.ShutdownWriteTimeout"/>, then leave it to redelivery.</summary>
    private void Drain(IConsumer<byte[]?, byte[]?> consumer)
    {
        using var drain = new CancellationTokenSource(_options.ShutdownWriteTimeout);
        while (_pending.Count > 0 && !WriteAndCommit(consumer, drain.Token))
        {
            var untilRetry = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _retryAt ?? 0);
            if (drain.Token.WaitHandle.WaitOne(untilRetry > TimeSpan.Zero ? untilRetry : TimeSpan.Zero) || drain.IsCancellationRequested)
            {
                LogAbandoned(_pending.Count);
                return;
            }
        }
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        try
        {
            foreach (var committed in consumer.Committed(partitions, TimeSpan.FromSeconds(10)))
            {
                _gaps.Assigned(committed.TopicPartition, committed.Offset);
                _lagUnknown[committed.TopicPartition] = committed.Offset;
            }
        }
        catch (KafkaException ex)
        {
            // Without the committed offsets the first gap of each partition goes unchecked; later ones are still seen.
            LogCommitFailed(ex, ex.Error.Reason);
        }

        _newlyAssigned = true;
        LogAssigned(string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    /// <summary>
    /// We still own these partitions until this returns: write and commit what we hold, once. During an
    /// outage (or if that write fails) the rebalance is not held up: what we hold of them is dropped
    /// uncommitted, and their next owner reads it again.
    /// </summary>
    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        if (_pending.Count > 0 && !IsBackingOff)
        {
            using var once = new CancellationTokenSource(_options.ShutdownWriteTimeout);
            WriteAndCommit(consumer, once.Token);
        }

        // Last chance to commit what was stored of them, while they are still ours.
        CommitAgain(consumer);

        Forget(partitions.Select(p => p.TopicPartition).ToList());
        LogRevoked(string.Join(", ", partitions.Select(p => p.Partition.Value)));
    }

    // Another member owns them already; what we hold of them it stores (idempotently).
    private void OnLost(List<TopicPartitionOffset> partitions) => Forget(partitions.Select(p => p.TopicPartition).ToList());

    private void Forget(List<TopicPartition> partitions)
    {
        _pending.Remove(partitions);
        _uncommitted.Forget(partitions);
        foreach (var p in partitions)
        {
            _gaps.Revoked(p);
            _lagUnknown.Remove(p);
            metrics.ForgetPartition(p.Partition.Value);
        }
    }

    /// <summary>
    /// A partition's position and cached watermarks stay unknown until a fetch returns a message, so a
    /// partition nothing is written to would never get a lag series: the broker is asked once, here in the
    /// poll loop rather than in the assignment callback, which should not hold up the group's rebalance.
    /// </summary>
    private void ReportLagBeforeFirstFetch(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, Offset committed)
    {
        try
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(1));
            metrics.SetLag(partition.Partition.Value, IdleBacklogLook.Backlog(watermarks, committed));
        }
        catch (KafkaException ex)
        {
            // Reported by the regular update after its first fetch instead.
            LogConsumeError(ex, ex.Error.Code, ex.Error.Reason);
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
                _lagUnknown.Remove(partition);
            }
            else if (_lagUnknown.Remove(partition, out var committed))
            {
                ReportLagBeforeFirstFetch(consumer, partition, committed);
            }
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch writes are failing; partitions paused until one succeeds: {Reason}")]
    private partial void LogPaused(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying the batch of {Count} in {Delay}")]
    private partial void LogRetrying(int count, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch written after {Failures} failed attempt(s); partitions resumed")]
    private partial void LogResumed(int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up writing a batch of {Count} at shutdown; it stays uncommitted and will be redelivered")]
    private partial void LogAbandoned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offset commit failed: {Reason}")]
    private partial void LogCommitFailed(Exception ex, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Committed again, after a failed commit: {Offsets}")]
    private partial void LogCommittedAgain(string offsets);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committing again failed: {Reason}")]
    private partial void LogCommitAgainFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error {Code}: {Reason}")]
    private partial void LogConsumeError(Exception ex, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consumer error {Code}: {Reason}")]
    private partial void LogKafkaError(ErrorCode code, string reason);
}
