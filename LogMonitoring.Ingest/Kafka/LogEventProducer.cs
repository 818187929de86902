using System.Diagnostics;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Ingest.Kafka;

/// <summary>The outcome of producing one request's events.</summary>
public enum ProduceStatus
{
    /// <summary>Kafka acknowledged every event (acks=all).</summary>
    Delivered,

    /// <summary>Too many events or bytes are waiting for Kafka already; nothing more was produced. Answer 429.</summary>
    Overloaded,

    /// <summary>Kafka did not acknowledge some events in time. Answer 503.</summary>
    Failed,
}

public sealed record ProduceResult(ProduceStatus Status, string? Error = null);

/// <summary>
/// Produces accepted events to the logs topic with an idempotent, acks=all producer. All of a request's
/// events are in flight at once and the request waits for the last delivery report, so a 2xx means
/// every event is in Kafka; a request never waits on one round trip per event.
/// </summary>
public sealed partial class LogEventProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly IngestOptions _options;
    private readonly IngestMetrics _metrics;
    private readonly ILogger<LogEventProducer> _logger;
    private readonly InFlightBudget _budget;
    private readonly ProducedVolume _produced;
    private readonly PartitionKeys _keys = new();

    public LogEventProducer(
        IConfiguration configuration,
        IOptions<IngestOptions> options,
        IngestMetrics metrics,
        ProducedVolume produced,
        LogMonitoring.Kafka.KafkaFatalErrors fatalErrors,
        ILogger<LogEventProducer> logger)
    {
        _produced = produced;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _budget = new InFlightBudget(_options.MaxInFlightEvents, _options.MaxInFlightBytes);
        var config = LogMonitoring.Kafka.KafkaConnection.Configure(new ProducerConfig
        {
            ClientId = "logmonitoring-ingest",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = _options.LingerMs,
            CompressionType = Enum.Parse<CompressionType>(_options.Compression, ignoreCase: true),
            MessageTimeoutMs = (int)_options.DeliveryTimeout.TotalMilliseconds,
            // The in-flight budget is what pushes back; librdkafka's queue, sized from the same limits with room for
            // the one request allowed past them, refuses only if the budget is wrong (and that answers 429 too).
            QueueBufferingMaxMessages = _options.MaxInFlightEvents * 2,
            QueueBufferingMaxKbytes = (int)Math.Min(int.MaxValue, _options.MaxInFlightBytes * 2 / 1024),
            BatchNumMessages = 10_000,
            // A delivery report is read for its error and partition only; the default also copies each message's
            // timestamp and headers back from librdkafka, once per event.
            DeliveryReportFields = "none",
        }, configuration);
        _producer = new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((_, error) =>
            {
                LogKafkaError(error.Code, error.Reason, error.IsFatal);
                // A fatal error ends the producer for good: readiness fails rather than every request answering 503.
                fatalErrors.Observe("ingest producer", error);
            })
            .Build();
        // The queue-depth gauge reads 0 until the producer exists, which is the truth: nothing waits yet.
        metrics.InFlight = () => InFlight;
        metrics.InFlightBytes = () => InFlightBytes;
    }

    public int InFlight => _budget.Events;

    /// <summary>Bytes produced (keys and values) and waiting for Kafka's acknowledgement.</summary>
    public long InFlightBytes => _budget.Bytes;

    // Not async: the serialized messages must not live on in a state machine while the request waits, since
    // librdkafka holds its own copy of them.
    public Task<ProduceResult> ProduceAsync(IReadOnlyList<LogEvent> events)
    {
        // Serialized first, so the request is measured in the bytes it would hold before any of it is produced.
        var (messages, bytes) = ToMessages(events);
        if (_budget.TryReserve(messages.Length, bytes) is { } refusal)
        {
            return Task.FromResult(new ProduceResult(ProduceStatus.Overloaded, refusal));
        }

        var pending = new PendingRequest(messages.Length, bytes, this);
        var produced = 0;
        try
        {
            foreach (var message in messages)
            {
                _producer.Produce(_options.Topic, message, pending.OnDelivered);
                produced++;
            }
        }
        catch (Exception ex) when (ex is ProduceException<string, byte[]> or KafkaException)
        {
            // The rest were never handed to Kafka; the request fails, and its delivered events stay delivered.
            // A full librdkafka queue is overload like the budget's, so the sender is told to slow down (429).
            var queueFull = ex is KafkaException { Error.Code: ErrorCode.Local_QueueFull };
            pending.NotProduced(messages.Length - produced, ex.Message, queueFull);
        }

        return pending.Task;
    }

    private (Message<string, byte[]>[] Messages, long Bytes) ToMessages(IReadOnlyList<LogEvent> events)
    {
        var shard = _keys.NextShard();
        var messages = new Message<string, byte[]>[events.Count];
        long bytes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var logEvent = events[i];
            var key = PartitionKeys.For(logEvent, shard);
            messages[i] = new Message<string, byte[]> { Key = key, Value = LogEventJson.ToUtf8Bytes(logEvent) };
            bytes += System.Text.Encoding.UTF8.GetByteCount(key) + messages[i].Value.Length;
        }

        return (messages, bytes);
    }

    /// <summary>Waits for the delivery reports of everything in flight, used at shutdown.</summary>
    public void Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose()
    {
        Flush(_options.DeliveryTimeout);
        _producer.Dispose();
    }

    private void Completed(int count, long bytes) => _budget.Release(count, bytes);

    /// <summary>Collects the delivery reports of one request; the last one completes the request.</summary>
    private sealed class PendingRequest
    {
        private readonly TaskCompletionSource<ProduceResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly LogEventProducer _owner;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly int _count;
        private readonly long _bytes;
        private int _remaining;
        private int _failed;
        private int _notQueued;
        private string? _firstError;

        public PendingRequest(int count, long bytes, LogEventProducer owner)
        {
            _count = count;
            _bytes = bytes;
            _remaining = count;
            _owner = owner;
            OnDelivered = Delivered;
        }

        public Action<DeliveryReport<string, byte[]>> OnDelivered { get; }

        public Task<ProduceResult> Task => _completion.Task;

        private void Delivered(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
                Interlocked.CompareExchange(ref _firstError, report.Error.Reason, null);
                _owner._metrics.ProduceFailed(report.Error.Code.ToString());
            }
            else
            {
                // The request's average size stands for each of its events: the lag gate needs bytes per partition, not per event.
                _owner._produced.Acknowledged(report.Partition.Value, _bytes / _count);
            }

            Done(1);
        }

        public void NotProduced(int count, string error, bool queueFull)
        {
            Interlocked.Add(ref _failed, count);
            if (queueFull)
            {
                Interlocked.Add(ref _notQueued, count);
            }

            Interlocked.CompareExchange(ref _firstError, error, null);
            _owner._metrics.ProduceFailed("not_produced");
            Done(count);
        }

        private void Done(int count)
        {
            if (Interlocked.Add(ref _remaining, -count) != 0)
            {
                return;
            }

            _owner.Completed(_count, _bytes);
            _owner._metrics.ProduceCompleted(Stopwatch.GetElapsedTime(_started));
            var status = _failed == 0 ? ProduceStatus.Delivered
                : _failed == _notQueued ? ProduceStatus.Overloaded
                : ProduceStatus.Failed;
            _completion.SetResult(status == ProduceStatus.Delivered
                ? new ProduceResult(ProduceStatus.Delivered)
                : new ProduceResult(status, $"{_failed} of {_count} events were not acknowledged by Kafka: {_firstError}"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason} (fatal: {IsFatal})")]
    private partial void LogKafkaError(ErrorCode code, string reason, bool isFatal);
}
