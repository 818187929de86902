using System.Diagnostics;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.Storage;

namespace LogMonitoring.Persister.Batches;

/// <summary>How writing a batch ended: written whole, or failed in a way worth retrying (the store or the dead-letter topic was away).</summary>
public sealed record BatchWriteOutcome(string? Failure)
{
    public static BatchWriteOutcome Written { get; } = new((string?)null);

    public bool Succeeded => Failure is null;
}

/// <summary>
/// Writes one pending batch: parses each message, dead-letters what can never be stored (not JSON, outside
/// the contract), stores the rest, and dead-letters the events the store refuses one by one (a permanent
/// failure of that event). A failure of the store itself or of the dead-letter topic is returned, not
/// retried here: the caller backs off and calls again with the same batch, in which the messages already
/// dead-lettered are skipped and the events already stored count as duplicates.
/// </summary>
public sealed partial class LogBatchWriter(
    ILogStore store,
    LogEventReader reader,
    IDeadLetterSink deadLetters,
    PersisterMetrics metrics,
    ILogger<LogBatchWriter> logger)
{
    private sealed record Refusal(ConsumeResult<byte[]?, byte[]?> Message, string Reason, string Category);

    public async Task<BatchWriteOutcome> WriteAsync(PendingBatch batch, CancellationToken cancellationToken)
    {
        var events = new List<LogEvent>(batch.Count);
        var origins = new List<ConsumeResult<byte[]?, byte[]?>>(batch.Count);
        var refused = new List<Refusal>();
        var errors = new List<LogEventError>();
        foreach (var message in batch.Messages)
        {
            if (batch.IsDeadLettered(message))
            {
                continue;
            }

            errors.Clear();
            if (message.Message.Value is not { Length: > 0 } value)
            {
                refused.Add(new(message, "event: the message has no value", "empty"));
            }
            else if (reader.ReadFromTopic(value, new TopicPosition(message.Topic, message.Partition.Value, message.Offset.Value), errors) is { } logEvent)
            {
                events.Add(logEvent);
                origins.Add(message);
            }
            else
            {
                refused.Add(new(message, string.Join("; ", errors), Categorize(errors)));
            }
        }

        if (await DeadLetterAsync(batch, refused, cancellationToken) is { } deadLetterFailure)
        {
            return deadLetterFailure;
        }

        if (events.Count == 0)
        {
            return BatchWriteOutcome.Written;
        }

        LogWriteResult written;
        var started = Stopwatch.GetTimestamp();
        try
        {
            written = await store.WriteBatchAsync(events, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store itself failed (unreachable, timeout, write concern): nothing is known to be stored
            // for good, so the whole batch is retried; what was stored comes back as duplicates.
            metrics.StoreError();
            LogStoreFailed(ex, batch.Count, ex.Message);
            return new BatchWriteOutcome($"store: {ex.Message}");
        }

        metrics.Written(StoredOnly(events, written), RemapDuplicates(written), Stopwatch.GetElapsedTime(started));
        var refusedByStore = written.Rejected.Select(r => new Refusal(origins[r.Index], $"store: {r.Reason}", "store_refused")).ToList();
        return await DeadLetterAsync(batch, refusedByStore, cancellationToken) ?? BatchWriteOutcome.Written;
    }

    /// <summary>Sends every refusal not sent yet; each one the topic takes is marked, so a retry never sends it twice.</summary>
    private async Task<BatchWriteOutcome?> DeadLetterAsync(PendingBatch batch, List<Refusal> refusals, CancellationToken cancellationToken)
    {
        if (refusals.Count == 0)
        {
            return null;
        }

        var sends = refusals.Select(r => (Refusal: r, Send: deadLetters.SendAsync(r.Message, r.Reason, cancellationToken))).ToList();
        string? failure = null;
        foreach (var (refusal, send) in sends)
        {
            try
            {
                await send;
                batch.MarkDeadLettered(refusal.Message);
                metrics.DeadLettered(refusal.Category);
                LogDeadLettered(refusal.Message.Topic, refusal.Message.Partition.Value, refusal.Message.Offset.Value, refusal.Reason);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                metrics.DeadLetterError();
                LogDeadLetterFailed(ex, refusal.Message.Topic, refusal.Message.Partition.Value, refusal.Message.Offset.Value, ex.Message);
                failure ??= $"dead-letter topic: {ex.Message}";
            }
        }

        return failure is null ? null : new BatchWriteOutcome(failure);
    }

    // The metrics count stored and duplicate events among those the store took, not those it refused.
    private static List<LogEvent> StoredOnly(List<LogEvent> events, LogWriteResult written)
    {
        if (written.Rejected.Count == 0)
        {
            return events;
        }

        var refused = written.Rejected.Select(r => r.Index).ToHashSet();
        return events.Where((_, i) => !refused.Contains(i)).ToList();
    }

    private static IReadOnlyList<int> RemapDuplicates(LogWriteResult written)
    {
        if (written.Rejected.Count == 0)
        {
            return written.DuplicateIndexes;
        }

        var refused = written.Rejected.Select(r => r.Index).Order().ToList();
        return written.DuplicateIndexes.Select(d => d - refused.Count(r => r < d)).ToList();
    }

    private static string Categorize(List<LogEventError> errors) =>
        errors.Count == 0 ? "invalid"
        : errors[0].Code == LogEventErrorCodes.NotJson ? "not_json"
        : errors.Any(e => e.IsOverSizeLimit) ? "too_large"
        : "invalid";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Reason}")]
    private partial void LogDeadLettered(string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dead-letter topic did not take {Topic}[{Partition}]@{Offset}; the batch will be retried: {Reason}")]
    private partial void LogDeadLetterFailed(Exception ex, string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store write of a batch of {Count} failed; the batch will be retried: {Reason}")]
    private partial void LogStoreFailed(Exception ex, int count, string reason);
}
