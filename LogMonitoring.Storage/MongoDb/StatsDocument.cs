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
/// the count per level, the total, the errors (ERROR + FATAL), the newest log's time, and the last rollup
/// cycle added to it. Only ever incremented; the error rate is derived from the counts when read.
/// </summary>
[BsonIgnoreExtraElements]
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

    [BsonElement("last_seen")]
    public DateTime LastSeen { get; init; }

    /// <summary>The last rollup cycle added to this bucket: a cycle is added to a bucket at most once.</summary>
    [BsonElement("cycle"), BsonIgnoreIfDefault]
    public long Cycle { get; init; }

    public LevelCounts Levels => new(Trace, Debug, Info, Warn, Error, Fatal);

    /// <summary>A bucket's counts as a document of the stats collections (no cycle yet).</summary>
    public static StatsDocument From(StatsBucket bucket) => new()
    {
        Id = new StatsKey { Bucket = bucket.Bucket, Service = bucket.Service },
        Bucket = bucket.Bucket,
        Service = bucket.Service,
        Trace = bucket.Levels.Trace,
        Debug = bucket.Levels.Debug,
        Info = bucket.Levels.Info,
        Warn = bucket.Levels.Warn,
        Error = bucket.Levels.Error,
        Fatal = bucket.Levels.Fatal,
        Total = bucket.Total,
        Errors = bucket.Errors,
        LastSeen = bucket.LastSeen,
    };

    public StatsBucket ToBucket() => new(
        DateTime.SpecifyKind(Bucket, DateTimeKind.Utc),
        Service,
        Levels,
        DateTime.SpecifyKind(LastSeen, DateTimeKind.Utc));
}

/// <summary>A service in <c>logs_services</c>: its newest log's time, kept by the rollups.</summary>
public sealed class ServiceDocument
{
    [BsonId]
    public string Service { get; init; } = "";

    [BsonElement("last_seen")]
    public DateTime LastSeen { get; init; }
}

/// <summary>
/// The rollups' progress in <c>rollup_state</c>: <c>{last: Z, open: null}</c> between cycles, or
/// <c>{last: Z, open: Z+1, ids: [...]}</c> while cycle Z+1 counts the logs named by <c>ids</c>.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class RollupState
{
    [BsonId]
    public string Id { get; init; } = MongoLogStore.RollupStateId;

    /// <summary>The last cycle finished; missing before the first cycle of this design ran.</summary>
    [BsonElement("last"), BsonIgnoreIfNull]
    public long? Last { get; init; }

    /// <summary>The cycle under way, or null.</summary>
    [BsonElement("open")]
    public long? Open { get; init; }

    /// <summary>The logs the open cycle counts.</summary>
    [BsonElement("ids"), BsonIgnoreIfNull]
    public List<string>? Ids { get; init; }

    /// <summary>When the open cycle began, by its starter's clock: only decides when another replica takes it over.</summary>
    [BsonElement("opened_at"), BsonIgnoreIfNull]
    public DateTime? OpenedAt { get; init; }

    /// <summary>The replica that opened the cycle: it resumes its own at once after a failed call.</summary>
    [BsonElement("owner"), BsonIgnoreIfNull]
    public string? Owner { get; init; }

    /// <summary>The earlier design's progress: logs stored before it were counted by that design.</summary>
    [BsonElement("watermark"), BsonIgnoreIfNull]
    public DateTime? Watermark { get; init; }
}
