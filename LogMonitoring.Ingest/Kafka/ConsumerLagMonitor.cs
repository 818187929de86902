using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Ingest.Kafka;

/// <summary>
/// Looks at the logs topic every <see cref="IngestOptions.LagCheckInterval"/>: each partition's watermarks and
/// the persister group's committed offsets, and hands them to <see cref="RetentionHeadroom"/>.
/// </summary>
public sealed partial class ConsumerLagMonitor(
    IConfiguration configuration, IOptions<IngestOptions> options, RetentionHeadroom headroom, ILogger<ConsumerLagMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // A consumer of the persister group that never subscribes: it only reads the group's commits.
        using var group = new ConsumerBuilder<Ignore, Ignore>(LogMonitoring.Kafka.KafkaConnection.Configure(new ConsumerConfig
        {
            GroupId = settings.PersisterGroupId,
            EnableAutoCommit = false,
            ClientId = "logmonitoring-ingest-lag",
        }, configuration)).Build();
        using var admin = new AdminClientBuilder(LogMonitoring.Kafka.KafkaConnection.Configure(new AdminClientConfig(), configuration)).Build();
        using var timer = new PeriodicTimer(settings.LagCheckInterval);
        do
        {
            try
            {
                // The client calls block; off the thread pool's hot path they cost one thread per interval.
                headroom.Update(await Task.Run(() => Look(group, admin, settings.Topic), stoppingToken));
            }
            catch (KafkaException ex)
            {
                // Kafka away is the producer's to answer (503); the last decision stands until a look succeeds.
                LogLookFailed(ex.Error.Reason);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static List<PartitionBacklog> Look(IConsumer<Ignore, Ignore> group, IAdminClient admin, string topic)
    {
        var timeout = TimeSpan.FromSeconds(5);
        var metadata = admin.GetMetadata(topic, timeout).Topics.Single();
        var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        if (metadata.Error.Code != ErrorCode.NoError || partitions.Count == 0)
        {
            return [];
        }

        var committed = group.Committed(partitions, timeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        return partitions.Select(p =>
        {
            var watermarks = group.QueryWatermarkOffsets(p, timeout);
            return new PartitionBacklog(p.Partition.Value, watermarks.Low.Value, watermarks.High.Value, committed.GetValueOrDefault(p.Partition.Value, -1));
        }).ToList();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the persister group's lag: {Reason}")]
    private partial void LogLookFailed(string reason);
}
