using LogMonitoring.Storage.Statistics;
using MongoDB.Bson.Serialization.Attributes;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>The key of one bucket of one service.</summary>
public sealed class StatsKey
{
    [BsonElement("bucket")]
    public DateTime Bucket { get; init; }

    [BsonElement("service")]
    public string Service { get; init; } = "";
}

/// <summary>
/// One bucket × service in <c>logs_minute_stats</c>, <c>logs_5m_stats</c> or <c>logs_hourly_stats</c>:
/// the count per level, the total, the errors (ERROR + FATAL) and the error rate.
/// </summary>
public sealed class StatsDocument
{
    [BsonId]
    public StatsKey Id { get; init; } = new();

    [BsonElement("bucket")]
    public DateTime Bucket { get; init; }

    [BsonElement("service")]
    public string Service { get; init; } = "";

    [BsonElement("trace")]
    public long Trace { get; init; }

    [BsonElement("debug")]
    public long Debug { get; init; }

    [BsonElement("info")]
    public long Info { get; init; }

    [BsonElement("warn")]
    public long Warn { get; init; }

    [BsonElement("error")]
    public long Error { get; init; }

    [BsonElement("fatal")]
    public long Fatal { get; init; }

    [BsonElement("total")]
    public long Total { get; init; }

    [BsonElement("errors")]
    public long Errors { get; init; }

    [BsonElement("error_rate")]
    public double ErrorRate { get; init; }

    [BsonElement("last_seen")]
    public DateTime LastSeen { get; init; }

    public StatsBucket ToBucket() => new(
        DateTime.SpecifyKind(Bucket, DateTimeKind.Utc),
        Service,
        new LevelCounts(Trace, Debug, Info, Warn, Error, Fatal),
        DateTime.SpecifyKind(LastSeen, DateTimeKind.Utc));
}

/// <summary>The rollup's progress and the lease that lets one stats replica at a time run it.</summary>
public sealed class RollupState
{
    [BsonId]
    public string Id { get; init; } = "logs";

    /// <summary>Logs stored (by <c>stored_at</c>) before this instant are counted.</summary>
    [BsonElement("watermark")]
    public DateTime Watermark { get; init; }

    [BsonElement("lease_owner")]
    public string? LeaseOwner { get; init; }

    [BsonElement("lease_until")]
    public DateTime LeaseUntil { get; init; }
}
