using System.Globalization;
using System.Text;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.Kafka;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Persister.Batches;

/// <summary>Where messages that can never be stored go.</summary>
public interface IDeadLetterSink
{
    /// <summary>Completes once the dead-letter topic has the message; throws when it does not take it in time.</summary>
    Task SendAsync(ConsumeResult<byte[]?, byte[]?> origin, string reason, CancellationToken cancellationToken);
}

/// <summary>
/// Sends messages that can never be stored to the dead-letter topic, unchanged, with the reason and
/// their origin in headers, so they can be inspected and replayed and never block their partition.
/// A send gives up after <see cref="PersisterOptions.DeadLetterTimeout"/>, well inside the consumer's poll
/// interval, so a dead-letter topic that is away makes the batch back off instead of evicting the member.
/// </summary>
public sealed class DeadLetterProducer : IDeadLetterSink, IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly string _topic;

    public DeadLetterProducer(IKafkaClientFactory clients, IOptions<PersisterOptions> options, KafkaFatalErrors fatalErrors)
    {
        _topic = options.Value.DeadLetterTopic;
        _producer = clients.CreateProducer(
            new ProducerConfig
            {
                ClientId = "logmonitoring-persister-dlq",
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = 5,
                MessageTimeoutMs = (int)options.Value.DeadLetterTimeout.TotalMilliseconds,
            },
            builder => builder.SetErrorHandler((_, error) => fatalErrors.Observe("dead-letter producer", error)));
    }

    public Task SendAsync(ConsumeResult<byte[]?, byte[]?> origin, string reason, CancellationToken cancellationToken)
    {
        var headers = new Headers
        {
            { LogTopics.DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(reason) },
            { LogTopics.DeadLetterHeaders.Topic, Encoding.UTF8.GetBytes(origin.Topic) },
            { LogTopics.DeadLetterHeaders.Partition, Encoding.UTF8.GetBytes(origin.Partition.Value.ToString(CultureInfo.InvariantCulture)) },
            { LogTopics.DeadLetterHeaders.Offset, Encoding.UTF8.GetBytes(origin.Offset.Value.ToString(CultureInfo.InvariantCulture)) },
            { LogTopics.DeadLetterHeaders.FailedAt, Encoding.UTF8.GetBytes(DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)) },
        };
        if (origin.Message.Headers is { } originalHeaders)
        {
            foreach (var header in originalHeaders)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        return _producer.ProduceAsync(_topic, new Message<byte[]?, byte[]?> { Key = origin.Message.Key, Value = origin.Message.Value, Headers = headers }, cancellationToken);
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
