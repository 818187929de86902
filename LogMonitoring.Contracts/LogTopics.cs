namespace LogMonitoring.Contracts;

/// <summary>Default Kafka topic names; both are options of the services that use them.</summary>
public static class LogTopics
{
    public const string Logs = "logs";
    public const string DeadLetter = "logs.dlq";

    /// <summary>Headers the persister puts on a dead-lettered message.</summary>
    public static class DeadLetterHeaders
    {
        public const string Reason = "dlq-reason";
        public const string Topic = "dlq-origin-topic";
        public const string Partition = "dlq-origin-partition";
        public const string Offset = "dlq-origin-offset";
        public const string FailedAt = "dlq-failed-at";
    }
}
