using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Linq;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Rollups for MongoDB, with the aggregation pipeline. A cycle finds the (minute, service) buckets that
/// received logs since the watermark (by <c>stored_at</c>, rescanning a grace window for late writes and
/// clock skew), recomputes exactly those minute buckets from the raw logs and <c>$merge</c>s them, then
/// recomputes the 5-minute and hourly buckets that contain them from the minute buckets. Recomputing from
/// the source makes every cycle idempotent, so a crash or an overlap cannot count anything twice; a lease
/// lets one stats replica at a time run cycles, so an older result cannot overwrite a newer one.
/// </summary>
public sealed partial class MongoLogStore
{
    public const string RollupStateCollection = "rollup_state";

    /// <summary>How far back each cycle rescans, for writes that finished late or persister clocks that differ.</summary>
    public TimeSpan RollupGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a replica's rollup lease lasts without renewal.</summary>
    public TimeSpan RollupLease { get; init; } = TimeSpan.FromSeconds(30);

    private IMongoCollection<StatsDocument> Stats(StatsInterval interval) =>
        _database.GetCollection<StatsDocument>(interval.CollectionName());

    private IMongoCollection<RollupState> State => _database.GetCollection<RollupState>(RollupStateCollection);

    private async Task InitializeStatisticsAsync(CancellationToken cancellationToken)
    {
        foreach (var interval in StatsIntervals.All)
        {
            var keys = Builders<StatsDocument>.IndexKeys;
            await Stats(interval).Indexes.CreateManyAsync(
                [
                    new CreateIndexModel<StatsDocument>(keys.Ascending(d => d.Bucket).Ascending(d => d.Service), new CreateIndexOptions { Name = "bucket_1_service_1" }),
                    new CreateIndexModel<StatsDocument>(keys.Ascending(d => d.Service).Ascending(d => d.Bucket), new CreateIndexOptions { Name = "service_1_bucket_1" }),
                ],
                cancellationToken);
            await EnsureTtlIndexAsync(Stats(interval), StatsTtlIndex, keys.Ascending(d => d.Bucket), TimeSpan.FromDays(_retention.DaysFor(interval)), cancellationToken);
        }
    }

    internal const string StatsTtlIndex = "bucket_ttl";

    /// <summary>
    /// Creates a TTL index, or changes its expiry in place when the retention setting changed since it was
    /// created: creating it again with another expiry fails with IndexOptionsConflict, which would keep the
    /// service unready for good. Safe from every replica at once: each change sets the same value.
    /// </summary>
    private async Task EnsureTtlIndexAsync<T>(IMongoCollection<T> collection, string name, IndexKeysDefinition<T> keys, TimeSpan expireAfter, CancellationToken cancellationToken)
    {
        using var cursor = await collection.Indexes.ListAsync(cancellationToken);
        var current = (await cursor.ToListAsync(cancellationToken)).FirstOrDefault(i => i.GetValue("name", "").AsString == name);
        if (current is null)
        {
            await collection.Indexes.CreateOneAsync(
                new CreateIndexModel<T>(keys, new CreateIndexOptions { Name = name, ExpireAfter = expireAfter }), cancellationToken: cancellationToken);
        }
        else if (!current.TryGetValue("expireAfterSeconds", out var seconds) || seconds.ToInt64() != (long)expireAfter.TotalSeconds)
        {
            await _database.RunCommandAsync<BsonDocument>(TtlChange(collection.CollectionNamespace.CollectionName, name, expireAfter), cancellationToken: cancellationToken);
        }
    }

    /// <summary>The <c>collMod</c> command that sets an existing TTL index's expiry.</summary>
    internal static BsonDocument TtlChange(string collection, string index, TimeSpan expireAfter) => new()
    {
        { "collMod", collection },
        { "index", new BsonDocument { { "name", index }, { "expireAfterSeconds", (long)expireAfter.TotalSeconds } } },
    };

    public async Task<RollupCycleResult> RollUpAsync(string replica, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var state = await TryTakeLeaseAsync(replica, now, cancellationToken);
        if (state is null)
        {
            return new RollupCycleResult(Ran: false, CaughtUp: false, 0, TimeSpan.Zero, LogsCounted: null);
        }

        var since = state.Watermark == default ? DateTime.MinValue : state.Watermark - RollupGrace;
        var dirty = await Logs.Aggregate(DirtyBucketsPipeline(since, now), cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        foreach (var chunk in dirty.Chunk(200))
        {
            await Logs.AggregateAsync(RecomputeMinutesPipeline(chunk, Stats(StatsInterval.OneMinute)), cancellationToken: cancellationToken);
            foreach (var interval in new[] { StatsInterval.FiveMinutes, StatsInterval.OneHour })
            {
                var wider = chunk.Select(d => new StatsKey { Bucket = interval.BucketStart(d.Bucket), Service = d.Service }).DistinctBy(k => (k.Bucket, k.Service)).ToArray();
                await Stats(StatsInterval.OneMinute).AggregateAsync(RollUpPipeline(interval, wider, Stats(interval)), cancellationToken: cancellationToken);
            }
        }

        await State.UpdateOneAsync(
            s => s.Id == "logs" && s.LeaseOwner == replica,
            Builders<RollupState>.Update.Set(s => s.Watermark, now),
            cancellationToken: cancellationToken);
        // Every log stored before 'now' is counted; those stored since waited at most as long as the cycle ran.
        return new RollupCycleResult(Ran: true, CaughtUp: true, dirty.Count, DateTime.UtcNow - now, LogsCounted: null);
    }

    private async Task<RollupState?> TryTakeLeaseAsync(string replica, DateTime now, CancellationToken cancellationToken)
    {
        var f = Builders<RollupState>.Filter;
        try
        {
            return await State.FindOneAndUpdateAsync(
                f.Eq(s => s.Id, "logs") & (f.Lt(s => s.LeaseUntil, now) | f.Eq(s => s.LeaseOwner, replica)),
                Builders<RollupState>.Update.Set(s => s.LeaseOwner, replica).Set(s => s.LeaseUntil, now + RollupLease),
                new FindOneAndUpdateOptions<RollupState> { IsUpsert = true, ReturnDocument = ReturnDocument.After },
                cancellationToken);
        }
        catch (MongoCommandException ex) when (ex.Code == 11000)
        {
            // The state exists and another replica holds a valid lease: the upsert collided with it.
            return null;
        }
    }

    /// <summary>$match on stored_at, then $group the distinct (minute, service) pairs written to.</summary>
    internal static PipelineDefinition<LogDocument, StatsKey> DirtyBucketsPipeline(DateTime since, DateTime until) =>
        new EmptyPipelineDefinition<LogDocument>()
            .Match(d => d.StoredAt >= since && d.StoredAt < until)
            .Group(d => new { Bucket = d.Timestamp.Truncate(DateTimeUnit.Minute, 1), d.Service }, g => new StatsKey { Bucket = g.Key.Bucket, Service = g.Key.Service });

    /// <summary>Recounts the given minute buckets from the raw logs and replaces them in the minute collection.</summary>
    internal static PipelineDefinition<LogDocument, StatsDocument> RecomputeMinutesPipeline(IReadOnlyList<StatsKey> buckets, IMongoCollection<StatsDocument> minuteStats)
    {
        var f = Builders<LogDocument>.Filter;
        var match = f.Or(buckets.Select(b =>
            f.Eq(d => d.Service, b.Service) & f.Gte(d => d.Timestamp, b.Bucket) & f.Lt(d => d.Timestamp, b.Bucket.AddMinutes(1))));
        return new EmptyPipelineDefinition<LogDocument>()
            .Match(match)
            .Group(
                d => new { Bucket = d.Timestamp.Truncate(DateTimeUnit.Minute, 1), d.Service },
                g => new
                {
                    g.Key.Bucket,
                    g.Key.Service,
                    Trace = g.Sum(d => d.Level == "TRACE" ? 1L : 0L),
                    Debug = g.Sum(d => d.Level == "DEBUG" ? 1L : 0L),
                    Info = g.Sum(d => d.Level == "INFO" ? 1L : 0L),
                    Warn = g.Sum(d => d.Level == "WARN" ? 1L : 0L),
                    Error = g.Sum(d => d.Level == "ERROR" ? 1L : 0L),
                    Fatal = g.Sum(d => d.Level == "FATAL" ? 1L : 0L),
                    LastSeen = g.Max(d => d.Timestamp),
                })
            .Project(b => new StatsDocument
            {
                Id = new StatsKey { Bucket = b.Bucket, Service = b.Service },
                Bucket = b.Bucket,
                Service = b.Service,
                Trace = b.Trace,
                Debug = b.Debug,
                Info = b.Info,
                Warn = b.Warn,
                Error = b.Error,
                Fatal = b.Fatal,
                Total = b.Trace + b.Debug + b.Info + b.Warn + b.Error + b.Fatal,
                Errors = b.Error + b.Fatal,
                ErrorRate = (double)(b.Error + b.Fatal) / (b.Trace + b.Debug + b.Info + b.Warn + b.Error + b.Fatal),
                LastSeen = b.LastSeen,
            })
            .Merge(minuteStats, new MergeStageOptions<StatsDocument>
            {
                WhenMatched = MergeStageWhenMatched.Replace,
                WhenNotMatched = MergeStageWhenNotMatched.Insert,
            });
    }

    /// <summary>Sums the minute buckets inside the given 5-minute or hourly buckets and replaces those.</summary>
    internal static PipelineDefinition<StatsDocument, StatsDocument> RollUpPipeline(StatsInterval interval, IReadOnlyList<StatsKey> buckets, IMongoCollection<StatsDocument> target)
    {
        var f = Builders<StatsDocument>.Filter;
        var length = interval.Length();
        var match = f.Or(buckets.Select(b =>
            f.Eq(d => d.Service, b.Service) & f.Gte(d => d.Bucket, b.Bucket) & f.Lt(d => d.Bucket, b.Bucket + length)));
        var (unit, size) = interval == StatsInterval.OneHour ? (DateTimeUnit.Hour, 1L) : (DateTimeUnit.Minute, 5L);
        return new EmptyPipelineDefinition<StatsDocument>()
            .Match(match)
            .Group(
                d => new { Bucket = d.Bucket.Truncate(unit, size), d.Service },
                g => new
                {
                    g.Key.Bucket,
                    g.Key.Service,
                    Trace = g.Sum(d => d.Trace),
                    Debug = g.Sum(d => d.Debug),
                    Info = g.Sum(d => d.Info),
                    Warn = g.Sum(d => d.Warn),
                    Error = g.Sum(d => d.Error),
                    Fatal = g.Sum(d => d.Fatal),
                    LastSeen = g.Max(d => d.LastSeen),
                })
            .Project(b => new StatsDocument
            {
                Id = new StatsKey { Bucket = b.Bucket, Service = b.Service },
                Bucket = b.Bucket,
                Service = b.Service,
                Trace = b.Trace,
                Debug = b.Debug,
                Info = b.Info,
                Warn = b.Warn,
                Error = b.Error,
                Fatal = b.Fatal,
                Total = b.Trace + b.Debug + b.Info + b.Warn + b.Error + b.Fatal,
                Errors = b.Error + b.Fatal,
                ErrorRate = (double)(b.Error + b.Fatal) / (b.Trace + b.Debug + b.Info + b.Warn + b.Error + b.Fatal),
                LastSeen = b.LastSeen,
            })
            .Merge(target, new MergeStageOptions<StatsDocument>
            {
                WhenMatched = MergeStageWhenMatched.Replace,
                WhenNotMatched = MergeStageWhenNotMatched.Insert,
            });
    }

    /// <summary>Per service over the hourly buckets: summed counts and the last time seen.</summary>
    internal static PipelineDefinition<StatsDocument, StatsDocument> ServicesPipeline() =>
        new EmptyPipelineDefinition<StatsDocument>()
            .Group(
                d => d.Service,
                g => new StatsDocument
                {
                    Service = g.Key,
                    Trace = g.Sum(d => d.Trace),
                    Debug = g.Sum(d => d.Debug),
                    Info = g.Sum(d => d.Info),
                    Warn = g.Sum(d => d.Warn),
                    Error = g.Sum(d => d.Error),
                    Fatal = g.Sum(d => d.Fatal),
                    LastSeen = g.Max(d => d.LastSeen),
                })
            .Sort(Builders<StatsDocument>.Sort.Ascending(d => d.Service));

    public async Task<IReadOnlyList<StatsBucket>> GetBucketsAsync(StatsInterval interval, DateTime start, DateTime end, string? service, CancellationToken cancellationToken)
    {
        var f = Builders<StatsDocument>.Filter;
        var filter = f.Gte(d => d.Bucket, start) & f.Lt(d => d.Bucket, end);
        if (service is not null)
        {
            filter &= f.Eq(d => d.Service, service);
        }

        var documents = await Stats(interval).Find(filter)
            .Sort(Builders<StatsDocument>.Sort.Ascending(d => d.Bucket).Ascending(d => d.Service))
            .ToListAsync(cancellationToken);
        return documents.Select(d => d.ToBucket()).ToList();
    }

    public async Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(CancellationToken cancellationToken)
    {
        var documents = await Stats(StatsInterval.OneHour).Aggregate(ServicesPipeline(), cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        return documents.Select(d => new ServiceSummary(d.Service, d.ToBucket().Levels, DateTime.SpecifyKind(d.LastSeen, DateTimeKind.Utc))).ToList();
    }

    /// <summary>
    /// The log's expiry. The contract keeps timestamps far below the end of time (<see cref="LogValueDomain"/>);
    /// should one get past it, the log is kept until the end of time rather than the write throwing.
    /// </summary>
    internal DateTime ExpiresAt(LogEventLevel level, DateTime timestamp)
    {
        var retention = TimeSpan.FromDays(_retention.DaysFor(level));
        return DateTime.MaxValue - timestamp <= retention ? DateTime.MaxValue : timestamp + retention;
    }
}
