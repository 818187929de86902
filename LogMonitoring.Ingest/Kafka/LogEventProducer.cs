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

    /// <summary>Too many events are waiting for Kafka already; nothing was produced. Answer 429.</summary>
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
    private int _inFlight;
    private int _requestCounter;

    public LogEventProducer(
        IConfiguration configuration, IOptions<IngestOptions> options, IngestMetrics metrics, LogMonitoring.Kafka.KafkaFatalErrors fatalErrors, ILogger<LogEventProducer> logger)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        var config = LogMonitoring.Kafka.KafkaConnection.Configure(new ProducerConfig
        {
            ClientId = "logmonitoring-ingest",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = _options.LingerMs,
            CompressionType = Enum.Parse<CompressionType>(_options.Compression, ignoreCase: true),
            MessageTimeoutMs = (int)_options.DeliveryTimeout.TotalMilliseconds,
            // The in-flight limit below is what pushes back; librdkafka's own queue must never be the one to refuse.
            QueueBufferingMaxMessages = _options.MaxInFlightEvents * 2,
            QueueBufferingMaxKbytes = 2 * 1024 * 1024,
            BatchNumMessages = 10_000,
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
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task<ProduceResult> ProduceAsync(IReadOnlyList<LogEvent> events)
    {
        // A request larger than the limit still goes through when nothing else is waiting.
        var inFlight = Interlocked.Add(ref _inFlight, events.Count);
        if (inFlight > _options.MaxInFlightEvents && inFlight != events.Count)
        {
            Interlocked.Add(ref _inFlight, -events.Count);
            return new ProduceResult(ProduceStatus.Overloaded, $"{_options.MaxInFlightEvents} events are already waiting for Kafka ({nameof(IngestOptions.MaxInFlightEvents)})");
        }

        var pending = new PendingRequest(events.Count, this);
        // The key keeps the events of one emitting instance (service + host) in order on one partition,
        // while a busy service with many hosts spreads over all partitions. Events without a host keep
        // their request's order under a per-request shard key.
        var requestShard = (uint)Interlocked.Increment(ref _requestCounter) % 64;
        var produced = 0;
        try
        {
            foreach (var logEvent in events)
            {
                var key = logEvent.Host is { } host
                    ? string.Concat(logEvent.Service, "/", host)
                    : string.Concat(logEvent.Service, "/#", requestShard.ToString(System.Globalization.CultureInfo.InvariantCulture));
                _producer.Produce(_options.Topic, new Message<string, byte[]> { Key = key, Value = LogEventJson.ToUtf8Bytes(logEvent) }, pending.OnDelivered);
                produced++;
            }
        }
        catch (Exception ex) when (ex is ProduceException<string, byte[]> or KafkaException)
        {
            // The rest were never handed to Kafka; the request fails, and its delivered events stay delivered.
            pending.NotProduced(events.Count - produced, ex.Message);
        }

        return await pending.Task;
    }

    /// <summary>Waits for the delivery reports of everything in flight, used at shutdown.</summary>
    public void Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose()
    {
        Flush(_options.DeliveryTimeout);
        _producer.Dispose();
    }

    private void Completed(int count) => Interlocked.Add(ref _inFlight, -count);

    /// <summary>Collects the delivery reports of one request; the last one completes the request.</summary>
    private sealed class PendingRequest
    {
        private readonly TaskCompletionSource<ProduceResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly LogEventProducer _owner;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly int _count;
        private int _remaining;
        private int _failed;
        private string? _firstError;

        public PendingRequest(int count, LogEventProducer owner)
        {
            _count = count;
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

            Done(1);
        }

        public void NotProduced(int count, string error)
        {
            Interlocked.Add(ref _failed, count);
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

            _owner.Completed(_count);
            _owner._metrics.ProduceCompleted(Stopwatch.GetElapsedTime(_started));
            _completion.SetResult(_failed == 0
                ? new ProduceResult(ProduceStatus.Delivered)
                : new ProduceResult(ProduceStatus.Failed, $"{_failed} of {_count} events were not acknowledged by Kafka: {_firstError}"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason} (fatal: {IsFatal})")]
    private partial void LogKafkaError(ErrorCode code, string reason, bool isFatal);
}
