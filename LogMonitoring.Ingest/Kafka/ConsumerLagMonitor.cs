using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Ingest.Kafka;

/// <summary>
/// Looks at the logs topic every <see cref="IngestOptions.LagCheckInterval"/>: each partition's watermarks, the
/// persister group's committed offsets and what the broker retains of a partition (from the options, or the
/// topic's configs), and hands them to <see cref="RetentionHeadroom"/>.
/// </summary>
public sealed partial class ConsumerLagMonitor(
    IConfiguration configuration, IOptions<IngestOptions> options, RetentionHeadroom headroom, ILogger<ConsumerLagMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private string? _capacitySeen;

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
                var capacity = await CapacityAsync(admin, settings);
                // The client calls block; off the thread pool's hot path they cost one thread per interval.
                headroom.Update(await Task.Run(() => Look(group, admin, settings.Topic), stoppingToken), capacity);
            }
            catch (KafkaException ex)
            {
                // Kafka away is the producer's to answer (503); the last decision stands until a look succeeds.
                LogLookFailed(ex.Error.Reason);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>The configured capacity, else the topic's retention.bytes and segment.bytes; null when unlimited or unknown.</summary>
    private async Task<RetentionCapacity?> CapacityAsync(IAdminClient admin, IngestOptions settings)
    {
        if (settings.TopicRetentionBytes is { } configured)
        {
            return Seen(new RetentionCapacity(configured, settings.TopicSegmentBytes ?? 0), "configured");
        }

        try
        {
            var described = await admin.DescribeConfigsAsync(
                [new ConfigResource { Type = ResourceType.Topic, Name = settings.Topic }], new DescribeConfigsOptions { RequestTimeout = Timeout });
            var entries = described.Single().Entries;
            long Read(string name) => entries.TryGetValue(name, out var entry) && long.TryParse(entry.Value, CultureInfo.InvariantCulture, out var value) ? value : -1;
            var retention = Read("retention.bytes");
            // Time-based retention is not gated: it deletes what is older than retention.ms however much is accepted, and
            // under overload size fills first (docs/operations.md); it is logged so an operator sees both limits.
            var source = $"topic configs (retention.ms {Read("retention.ms")})";
            return retention > 0
                ? Seen(new RetentionCapacity(retention, Math.Max(0, Read("segment.bytes"))), source)
                : Seen(null, $"{source}: retention.bytes is unlimited");
        }
        catch (KafkaException ex)
        {
            return Seen(null, $"the topic's configs could not be read: {ex.Error.Reason}");
        }
    }

    private RetentionCapacity? Seen(RetentionCapacity? capacity, string source)
    {
        var description = capacity is null
            ? $"unknown ({source}); the gate acts once retention has begun deleting"
            : $"{capacity.RetentionBytes} bytes per partition less a {capacity.SegmentBytes}-byte segment, from {source}";
        if (description != _capacitySeen)
        {
            _capacitySeen = description;
            LogCapacity(description);
        }

        return capacity;
    }

    private static List<PartitionBacklog> Look(IConsumer<Ignore, Ignore> group, IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single();
        var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        if (metadata.Error.Code != ErrorCode.NoError || partitions.Count == 0)
        {
            return [];
        }

        var committed = group.Committed(partitions, Timeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        return partitions.Select(p =>
        {
            var watermarks = group.QueryWatermarkOffsets(p, Timeout);
            return new PartitionBacklog(p.Partition.Value, watermarks.Low.Value, watermarks.High.Value, committed.GetValueOrDefault(p.Partition.Value, -1));
        }).ToList();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the persister group's lag: {Reason}")]
    private partial void LogLookFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "What the broker retains of a partition of the logs topic: {Capacity}")]
    private partial void LogCapacity(string capacity);
}
