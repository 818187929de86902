using System.Globalization;
using System.Text;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.Kafka;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// Sends messages that can never be stored to the dead-letter topic, unchanged, with the reason and
/// their origin in headers, so they can be inspected and replayed and never block their partition.
/// </summary>
public sealed class DeadLetterProducer : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly string _topic;

    public DeadLetterProducer(IConfiguration configuration, IOptions<PersisterOptions> options)
    {
        _topic = options.Value.DeadLetterTopic;
        _producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaConnection.Configure(new ProducerConfig
        {
            ClientId = "logmonitoring-persister-dlq",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        }, configuration)).Build();
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
