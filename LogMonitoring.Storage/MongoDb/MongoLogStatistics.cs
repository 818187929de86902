using LogMonitoring.Contracts;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Linq;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Rollups for MongoDB, counting each log once without trusting any clock and without transactions (a
/// standalone server will do). Every log is inserted with <c>rollup: 0</c>, in a partial index that holds
/// only logs not counted yet. Cycles are numbered and run one after another, recorded in
/// <c>rollup_state</c>: a cycle opens by naming the logs it will count (compare-and-set from
/// <c>{last: Z, open: null}</c> to <c>{open: Z+1, ids}</c>), claims them (<c>rollup: Z+1</c>), counts
/// them per bucket and adds the counts to each bucket whose last cycle is below Z+1, marks them counted
/// (<c>rollup: -1</c>) and closes. Each step can be redone by any replica, so a replica finds an open
/// cycle and finishes it; the per-bucket cycle number keeps a redone step from adding anything twice.
/// Buckets are only ever added to, so an expired minute bucket or an expired log never shrinks a wider one.
/// </summary>
public sealed partial class MongoLogStore
{
    public const string RollupStateCollection = "rollup_state";

    /// <summary>Every service seen, with its newest log's time (<see cref="ServiceDocument"/>).</summary>
    public const string ServicesCollection = "logs_services";

    internal const string RollupStateId = "logs";

    /// <summary><c>rollup</c> of a log no cycle has claimed yet.</summary>
    public const long Uncounted = 0;

    /// <summary><c>rollup</c> of a log the statistics count.</summary>
    public const long Counted = -1;

    internal const string PendingIndex = "rollup_1_stored_at_1";
    internal const string StatsTtlIndex = "bucket_ttl";
    internal const string ServicesTtlIndex = "last_seen_ttl";

    /// <summary>The most logs one cycle counts; their ids are kept in the state document while it runs.</summary>
    public int MaxLogsPerCycle { get; init; } = 20_000;

    /// <summary>
    /// How long an open cycle is left to the replica that opened it before another one finishes it. Only
    /// saves doing the same work twice: finishing a cycle that is still running is correct at any time.
    /// </summary>
    public TimeSpan RollupTakeover { get; init; } = TimeSpan.FromSeconds(10);

    private IMongoCollection<StatsDocument> Stats(StatsInterval interval) =>
        _database.GetCollection<StatsDocument>(interval.CollectionName());

    private IMongoCollection<RollupState> State => _database.GetCollection<RollupState>(RollupStateCollection);

    private IMongoCollection<ServiceDocument> Services => _database.GetCollection<ServiceDocument>(ServicesCollection);

    /// <summary>Logs no cycle has finished counting: the partial index holds these and nothing else.</summary>
    internal static FilterDefinition<LogDocument> NotCountedFilter => Builders<LogDocument>.Filter.Gte(d => d.Rollup, Uncounted);

    /// <summary>Logs the statistics count: the only ones the TTL index may delete.</summary>
    internal static FilterDefinition<LogDocument> CountedFilter => Builders<LogDocument>.Filter.Lt(d => d.Rollup, Uncounted);

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

        // A service leaves the list when its last hourly bucket expires.
        await EnsureTtlIndexAsync(Services, ServicesTtlIndex, Builders<ServiceDocument>.IndexKeys.Ascending(d => d.LastSeen),
            TimeSpan.FromDays(_retention.DaysFor(StatsInterval.OneHour)), cancellationToken);
        if (await Services.Find(FilterDefinition<ServiceDocument>.Empty).Limit(1).AnyAsync(cancellationToken) is false)
        {
            // Once, after the upgrade that added the list: fill it from the hourly statistics kept so far.
            await Stats(StatsInterval.OneHour).AggregateAsync(ServicesBackfillPipeline(Services), cancellationToken: cancellationToken);
        }
    }

    /// <summary>The partial indexes of the logs the rollups need: the logs still to count, and expiry of counted ones only.</summary>
    internal static IReadOnlyList<CreateIndexModel<LogDocument>> RollupIndexes()
    {
        var keys = Builders<LogDocument>.IndexKeys;
        return
        [
            new(keys.Ascending(d => d.Rollup).Ascending(d => d.StoredAt),
                new CreateIndexOptions<LogDocument> { Name = PendingIndex, PartialFilterExpression = NotCountedFilter }),
            // Each document carries its own expiry (per level), so one TTL index serves every policy; a log the
            // statistics do not count yet is outside it and waits for its cycle.
            new(keys.Ascending(d => d.ExpireAt),
                new CreateIndexOptions<LogDocument> { Name = CountedTtlIndex, ExpireAfter = TimeSpan.Zero, PartialFilterExpression = CountedFilter }),
        ];
    }

    /// <summary>Creates a TTL index, or changes its expiry in place when the retention setting changed since it was created.</summary>
    /// <remarks>
    /// Creating it again with another expiry fails with IndexOptionsConflict, which would keep the service
    /// unready for good. Safe from every replica at once: each change sets the same value.
    /// </remarks>
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
        var state = await ReadRollupStateAsync(cancellationToken);
        RollupCycle cycle;
        if (state.Open is { } open)
        {
            // A cycle this replica left unfinished (a failed call) resumes at once; another replica's, running
            // or abandoned, once it has had its time.
            if (state.Owner != replica && state.OpenedAt is { } openedAt && DateTime.UtcNow - openedAt < RollupTakeover)
            {
                return new RollupCycleResult(Ran: false, CaughtUp: false, 0, TimeSpan.Zero, LogsCounted: null);
            }

            cycle = new RollupCycle(open, state.Ids ?? [], TakenOver: true);
        }
        else
        {
            var ids = await Logs.Find(PendingFilter).Sort(PendingOrder).Limit(MaxLogsPerCycle).Project(d => d.Id).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                return new RollupCycleResult(Ran: true, CaughtUp: true, 0, TimeSpan.Zero, LogsCounted: 0);
            }

            cycle = new RollupCycle(state.Last!.Value + 1, ids, TakenOver: false);
            if (!await OpenCycleAsync(state.Last.Value, cycle, replica, cancellationToken))
            {
                // Another replica opened this cycle first.
                return new RollupCycleResult(Ran: false, CaughtUp: false, 0, TimeSpan.Zero, LogsCounted: null);
            }
        }

        await ClaimAsync(cycle, cancellationToken);
        var minutes = await CountCycleAsync(cycle.Number, cancellationToken);
        await ApplyAsync(cycle.Number, minutes, cancellationToken);
        await CloseCycleAsync(cycle.Number, cancellationToken);

        var lag = await FreshnessLagAsync(cancellationToken);
        // A cycle that took fewer logs than it could took every one visible when it opened.
        return new RollupCycleResult(Ran: true, CaughtUp: !cycle.TakenOver && cycle.Ids.Count < MaxLogsPerCycle,
            minutes.Count, lag, minutes.Sum(m => m.Total));
    }

    /// <summary>A cycle's number and the logs it counts.</summary>
    internal sealed record RollupCycle(long Number, IReadOnlyList<string> Ids, bool TakenOver);

    /// <summary>The logs no cycle has claimed, oldest stored first, through the partial index.</summary>
    internal static FilterDefinition<LogDocument> PendingFilter => Builders<LogDocument>.Filter.Eq(d => d.Rollup, Uncounted);

    internal static SortDefinition<LogDocument> PendingOrder => Builders<LogDocument>.Sort.Ascending(d => d.Rollup).Ascending(d => d.StoredAt);

    /// <summary>The compare-and-set that opens cycle Z+1 if cycle Z was the last and none is open: one replica wins.</summary>
    internal static FilterDefinition<RollupState> OpenCycleFilter(long last)
    {
        var f = Builders<RollupState>.Filter;
        return f.Eq(s => s.Id, RollupStateId) & f.Eq(s => s.Last, (long?)last) & f.Eq(s => s.Open, (long?)null);
    }

    internal async Task<bool> OpenCycleAsync(long last, RollupCycle cycle, string replica, CancellationToken cancellationToken)
    {
        var result = await State.UpdateOneAsync(
            OpenCycleFilter(last),
            Builders<RollupState>.Update.Set(s => s.Open, (long?)cycle.Number).Set(s => s.Ids, cycle.Ids.ToList())
                .Set(s => s.OpenedAt, DateTime.UtcNow).Set(s => s.Owner, replica),
            cancellationToken: cancellationToken);
        return result.ModifiedCount == 1;
    }

    /// <summary>Marks the cycle's logs as its own: only those no cycle has taken, so redoing it changes nothing.</summary>
    internal static FilterDefinition<LogDocument> ClaimFilter(IReadOnlyList<string> ids) =>
        Builders<LogDocument>.Filter.In(d => d.Id, ids) & Builders<LogDocument>.Filter.Eq(d => d.Rollup, Uncounted);

    internal Task ClaimAsync(RollupCycle cycle, CancellationToken cancellationToken) =>
        Logs.UpdateManyAsync(ClaimFilter(cycle.Ids), Builders<LogDocument>.Update.Set(d => d.Rollup, cycle.Number), cancellationToken: cancellationToken);

    /// <summary>The cycle's logs counted per minute and service: per level, and the newest timestamp.</summary>
    internal static PipelineDefinition<LogDocument, StatsDocument> CountPipeline(long cycle) =>
        new EmptyPipelineDefinition<LogDocument>()
            .Match(Builders<LogDocument>.Filter.Eq(d => d.Rollup, cycle))
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
                LastSeen = b.LastSeen,
            });

    internal async Task<List<StatsDocument>> CountCycleAsync(long cycle, CancellationToken cancellationToken) =>
        await Logs.Aggregate(CountPipeline(cycle), cancellationToken: cancellationToken).ToListAsync(cancellationToken);

    /// <summary>The minute counts summed into the buckets of <paramref name="interval"/> (<see cref="RollupFold.Widen"/>).</summary>
    internal static List<StatsDocument> Widen(IReadOnlyList<StatsDocument> minutes, StatsInterval interval) =>
        RollupFold.Widen(minutes.Select(m => m.ToBucket()).ToList(), interval).Select(StatsDocument.From).ToList();

    /// <summary>The bucket, if this cycle was not added to it yet (a bucket from before cycles were numbered has none).</summary>
    internal static FilterDefinition<StatsDocument> ApplyFilter(StatsKey key, long cycle)
    {
        var f = Builders<StatsDocument>.Filter;
        return f.Eq(d => d.Id, key) & f.Not(f.Gte(d => d.Cycle, cycle));
    }

    /// <summary>Adds one cycle's counts to a bucket (creating it if need be) and records the cycle.</summary>
    internal static UpdateDefinition<StatsDocument> ApplyUpdate(StatsDocument counts, long cycle) =>
        Builders<StatsDocument>.Update
            .SetOnInsert(d => d.Bucket, counts.Bucket)
            .SetOnInsert(d => d.Service, counts.Service)
            .Inc(d => d.Trace, counts.Trace)
            .Inc(d => d.Debug, counts.Debug)
            .Inc(d => d.Info, counts.Info)
            .Inc(d => d.Warn, counts.Warn)
            .Inc(d => d.Error, counts.Error)
            .Inc(d => d.Fatal, counts.Fatal)
            .Inc(d => d.Total, counts.Total)
            .Inc(d => d.Errors, counts.Errors)
            .Max(d => d.LastSeen, counts.LastSeen)
            .Set(d => d.Cycle, cycle)
            // Buckets written before the counts were incremented carried a ratio that no longer follows them.
            .Unset("error_rate");

    internal static IReadOnlyList<UpdateOneModel<StatsDocument>> ApplyModels(IReadOnlyList<StatsDocument> buckets, long cycle) =>
        buckets.Select(b => new UpdateOneModel<StatsDocument>(ApplyFilter(b.Id, cycle), ApplyUpdate(b, cycle)) { IsUpsert = true }).ToList();

    /// <summary>Keeps each service's newest log time; <c>$max</c> makes redoing it harmless.</summary>
    internal static IReadOnlyList<UpdateOneModel<ServiceDocument>> ServiceModels(IReadOnlyList<StatsDocument> minutes) =>
        RollupFold.NewestPerService(minutes.Select(m => m.ToBucket()).ToList())
            .Select(s => new UpdateOneModel<ServiceDocument>(
                Builders<ServiceDocument>.Filter.Eq(d => d.Service, s.Service),
                Builders<ServiceDocument>.Update.Max(d => d.LastSeen, s.LastSeen))
            { IsUpsert = true })
            .ToList();

    /// <summary>
    /// Adds the cycle's counts to the buckets of every interval it has not been added to yet. Each bucket gets
    /// the cycle's whole count for it in one update, so a cycle stopped part way leaves every bucket either
    /// with the cycle or without it, never with part of it.
    /// </summary>
    internal async Task ApplyAsync(long cycle, IReadOnlyList<StatsDocument> minutes, CancellationToken cancellationToken)
    {
        if (minutes.Count == 0)
        {
            return;
        }

        foreach (var interval in StatsIntervals.All)
        {
            await ApplyAsync(interval, ApplyModels(interval == StatsInterval.OneMinute ? minutes : Widen(minutes, interval), cycle), cancellationToken);
        }

        await ApplyOnceAsync(Services, ServiceModels(minutes), cancellationToken);
    }

    internal Task ApplyAsync(StatsInterval interval, IReadOnlyList<UpdateOneModel<StatsDocument>> models, CancellationToken cancellationToken) =>
        ApplyOnceAsync(Stats(interval), models, cancellationToken);

    /// <summary>
    /// Unordered, so every bucket is tried. A bucket whose cycle is this one or later fails the filter, and
    /// its upsert then collides with it on <c>_id</c>: a duplicate key means "already added" and is no error.
    /// </summary>
    private static async Task ApplyOnceAsync<T>(IMongoCollection<T> collection, IReadOnlyList<UpdateOneModel<T>> models, CancellationToken cancellationToken)
    {
        try
        {
            await collection.BulkWriteAsync(models, new BulkWriteOptions { IsOrdered = false }, cancellationToken);
        }
        catch (MongoBulkWriteException<T> ex) when (OnlyAlreadyApplied(ex))
        {
        }
    }

    internal static bool OnlyAlreadyApplied<T>(MongoBulkWriteException<T> ex) =>
        ex.WriteConcernError is null && ex.WriteErrors.Count > 0 && ex.WriteErrors.All(e => e.Code == DuplicateKey);

    /// <summary>Marks the cycle's logs counted (they leave the partial index and may now expire), then closes it.</summary>
    internal async Task CloseCycleAsync(long cycle, CancellationToken cancellationToken)
    {
        await Logs.UpdateManyAsync(Builders<LogDocument>.Filter.Eq(d => d.Rollup, cycle), Builders<LogDocument>.Update.Set(d => d.Rollup, Counted), cancellationToken: cancellationToken);
        await State.UpdateOneAsync(CloseCycleFilter(cycle), CloseCycleUpdate(cycle), cancellationToken: cancellationToken);
    }

    internal static FilterDefinition<RollupState> CloseCycleFilter(long cycle) =>
        Builders<RollupState>.Filter.Eq(s => s.Id, RollupStateId) & Builders<RollupState>.Filter.Eq(s => s.Open, (long?)cycle);

    internal static UpdateDefinition<RollupState> CloseCycleUpdate(long cycle) =>
        Builders<RollupState>.Update.Set(s => s.Last, (long?)cycle).Set(s => s.Open, (long?)null).Unset(s => s.Ids).Unset(s => s.OpenedAt).Unset(s => s.Owner);

    /// <summary>How long the oldest log not counted yet has been stored (by its persister's clock: a figure, not a decision).</summary>
    private async Task<TimeSpan> FreshnessLagAsync(CancellationToken cancellationToken)
    {
        var oldest = await Logs.Find(PendingFilter).Sort(PendingOrder).Limit(1).Project(d => d.StoredAt).ToListAsync(cancellationToken);
        return oldest.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, (DateTime.UtcNow - oldest[0]).Ticks));
    }

    /// <summary>Per service over the hourly buckets from <paramref name="since"/> on: summed counts (a range of the bucket index).</summary>
    internal static PipelineDefinition<StatsDocument, StatsDocument> ServicesPipeline(DateTime since) =>
        new EmptyPipelineDefinition<StatsDocument>()
            .Match(Builders<StatsDocument>.Filter.Gte(d => d.Bucket, since))
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
                });

    /// <summary>Every service in the hourly statistics with its newest log time, into <c>logs_services</c>.</summary>
    internal static PipelineDefinition<StatsDocument, ServiceDocument> ServicesBackfillPipeline(IMongoCollection<ServiceDocument> services) =>
        new EmptyPipelineDefinition<StatsDocument>()
            .Group(d => d.Service, g => new ServiceDocument { Service = g.Key, LastSeen = g.Max(d => d.LastSeen) })
            .Merge(services, new MergeStageOptions<ServiceDocument>
            {
                // A rollup that ran meanwhile wrote a newer time.
                WhenMatched = MergeStageWhenMatched.KeepExisting,
                WhenNotMatched = MergeStageWhenNotMatched.Insert,
            });

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

    public async Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(DateTime since, CancellationToken cancellationToken)
    {
        var counts = (await Stats(StatsInterval.OneHour).Aggregate(ServicesPipeline(since), cancellationToken: cancellationToken).ToListAsync(cancellationToken))
            .ToDictionary(d => d.Service, d => d.Levels, StringComparer.Ordinal);
        var seen = await Services.Find(FilterDefinition<ServiceDocument>.Empty)
            .Sort(Builders<ServiceDocument>.Sort.Ascending(d => d.Service))
            .ToListAsync(cancellationToken);
        return seen
            .Select(s => new ServiceSummary(s.Service, counts.GetValueOrDefault(s.Service, LevelCounts.Zero), DateTime.SpecifyKind(s.LastSeen, DateTimeKind.Utc)))
            .ToList();
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
