namespace LogMonitoring.Contracts;

/// <summary>Where a message sits in Kafka; an event that reached the topic without an id is stored under an id made from it.</summary>
public readonly record struct TopicPosition(string Topic, int Partition, long Offset)
{
    /// <summary>The store id of an event at this position that carries no id of its own (<see cref="LogEventId.ForKafkaPosition"/>).</summary>
    public string FallbackStoreId() => LogEventId.ForKafkaPosition(Topic, Partition, Offset);
}
