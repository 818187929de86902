using LogMonitoring.Contracts;
using LogMonitoring.Storage;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace LogMonitoring.StoreTests;

/// <summary>The rollup contract against a live MongoDB, when <c>LOGMON_TEST_MONGO</c> names one.</summary>
public sealed class MongoLogStatisticsTests : LogStatisticsContract
{
    private string? _connectionString;

    protected override Task<ILogStore> CreateStoreAsync()
    {
        var configured = Environment.GetEnvironmentVariable(MongoLogStoreTests.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.Skip($"No MongoDB here: set {MongoLogStoreTests.ConnectionVariable} to a connection string (e.g. mongodb://localhost:27017) to run the MongoDB rollup contract tests.");
        }

        _connectionString = new MongoUrlBuilder(configured) { DatabaseName = $"logmon_stats_{Guid.NewGuid():N}" }.ToString();
        return Task.FromResult<ILogStore>(new MongoLogStore(_connectionString) { RollupTakeover = TimeSpan.FromSeconds(1), MaxLogsPerCycle = 700 });
    }

    protected override ILogStore OpenSecondHandle(TimeProvider? clock = null) =>
        new MongoLogStore(_connectionString!) { RollupTakeover = TimeSpan.FromSeconds(1), MaxLogsPerCycle = 700, Clock = clock ?? TimeProvider.System };

    private IMongoDatabase Database => new MongoClient(_connectionString).GetDatabase(MongoUrl.Create(_connectionString).DatabaseName);

    protected override bool ExpiresOnItsOwn => true;

    /// <summary>
    /// Deletes what the TTL indexes would under <paramref name="retention"/> (the monitor runs once a minute,
    /// too seldom for a test): counted logs past their level's retention, buckets past their interval's.
    /// The logs' filter is the TTL index's own partial filter, as the store creates it.
    /// </summary>
    protected override async Task ExpireAsync(RetentionOptions retention, DateTime now)
    {
        var logs = Database.GetCollection<LogDocument>(MongoLogStore.LogsCollection);
        var f = Builders<LogDocument>.Filter;
        foreach (var level in LogEventLevels.All)
        {
            await logs.DeleteManyAsync(
                MongoLogStore.CountedFilter & f.Eq(d => d.Level, level.ToWireName()) & f.Lt(d => d.Timestamp, now - TimeSpan.FromDays(retention.DaysFor(level))),
                Ct);
        }

        foreach (var interval in StatsIntervals.All)
        {
            await Database.GetCollection<StatsDocument>(interval.CollectionName())
                .DeleteManyAsync(d => d.Bucket < now - TimeSpan.FromDays(retention.DaysFor(interval)), Ct);
        }
    }

    [Fact]
    public async Task The_expiry_index_deletes_counted_logs_only_and_the_pending_index_holds_the_rest()
    {
        var indexes = await (await Database.GetCollection<BsonDocument>(MongoLogStore.LogsCollection).Indexes.ListAsync(Ct)).ToListAsync(Ct);

        Assert.DoesNotContain(indexes, i => i["name"] == MongoLogStore.LegacyTtlIndex);
        var ttl = indexes.Single(i => i["name"] == MongoLogStore.CountedTtlIndex);
        Assert.Equal(0, ttl["expireAfterSeconds"].ToInt64());
        Assert.Equal(("$lt", 0L), Condition(ttl));
        Assert.Equal(("$gte", 0L), Condition(indexes.Single(i => i["name"] == MongoLogStore.PendingIndex)));

        // The partial filter's one condition on rollup, whatever number type the server keeps it as.
        static (string Operator, long Value) Condition(BsonDocument index)
        {
            var condition = index["partialFilterExpression"]["rollup"].AsBsonDocument.Single();
            return (condition.Name, condition.Value.ToInt64());
        }
    }

    [Fact]
    public async Task Looking_for_new_work_after_everything_is_counted_examines_no_log()
    {
        await Store.WriteBatchAsync(Generate(2000, 85, DateTime.UtcNow, TimeSpan.FromHours(2)), Ct);
        await RollUpUntilCaughtUpAsync(Statistics);
        var args = new RenderArgs<LogDocument>(BsonSerializer.LookupSerializer<LogDocument>(), BsonSerializer.SerializerRegistry);

        var explain = await Database.RunCommandAsync<BsonDocument>(new BsonDocument
        {
            {
                "explain", new BsonDocument
                {
                    { "find", MongoLogStore.LogsCollection },
                    { "filter", MongoLogStore.PendingFilter.Render(args) },
                    { "sort", MongoLogStore.PendingOrder.Render(args) },
                    { "limit", 700 },
                }
            },
            { "verbosity", "executionStats" },
        }, cancellationToken: Ct);

        // The partial index holds only logs not counted yet: none here, whatever the collection holds.
        Assert.Contains(MongoLogStore.PendingIndex, explain["queryPlanner"]["winningPlan"].ToJson());
        Assert.Equal(0, explain["executionStats"]["totalDocsExamined"].ToInt64());
        Assert.InRange(explain["executionStats"]["totalKeysExamined"].ToInt64(), 0, 1);
    }

    [Fact]
    public async Task A_store_with_the_earlier_indexes_gets_the_current_ones_and_several_replicas_may_start_at_once()
    {
        var logs = Database.GetCollection<LogDocument>(MongoLogStore.LogsCollection);
        await logs.Indexes.DropOneAsync(MongoLogStore.CountedTtlIndex, Ct);
        await logs.Indexes.CreateOneAsync(new CreateIndexModel<LogDocument>(
            Builders<LogDocument>.IndexKeys.Ascending(d => d.ExpireAt), new CreateIndexOptions { Name = MongoLogStore.LegacyTtlIndex, ExpireAfter = TimeSpan.Zero }), cancellationToken: Ct);
        await logs.Indexes.CreateOneAsync(new CreateIndexModel<LogDocument>(
            Builders<LogDocument>.IndexKeys.Ascending(d => d.StoredAt), new CreateIndexOptions { Name = "stored_at_1" }), cancellationToken: Ct);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => new MongoLogStore(_connectionString!).InitializeAsync(Ct)));

        var names = (await (await logs.Indexes.ListAsync(Ct)).ToListAsync(Ct)).Select(i => i["name"].AsString).ToList();
        Assert.Contains(MongoLogStore.CountedTtlIndex, names);
        Assert.Contains("stored_at_1__id_1", names);
        Assert.All(MongoLogStore.ObsoleteIndexes, name => Assert.DoesNotContain(name, names));
    }

    [Fact]
    public async Task Logs_stored_before_the_upgrade_are_counted_by_the_earlier_watermark_once()
    {
        var now = DateTime.UtcNow;
        var counted = Generate(200, 80, now.AddHours(-2), TimeSpan.FromMinutes(30));
        var notCounted = Generate(100, 81, now.AddMinutes(-10), TimeSpan.FromMinutes(5));
        var logs = Database.GetCollection<BsonDocument>(MongoLogStore.LogsCollection);
        var watermark = now.AddHours(-1);
        var store = (MongoLogStore)Store;
        // As the earlier version wrote them: no rollup field; the first batch stored before its watermark.
        foreach (var (events, storedAt) in new[] { (counted, watermark.AddMinutes(-5)), (notCounted, watermark.AddMinutes(5)) })
        {
            var documents = events.Select(e => LogDocument.From(e, storedAt, store.ExpiresAt(e.Level, e.Timestamp)).ToBsonDocument()).ToList();
            documents.ForEach(d => d.Remove("rollup"));
            await logs.InsertManyAsync(documents, cancellationToken: Ct);
        }

        await Database.GetCollection<BsonDocument>(MongoLogStore.RollupStateCollection).InsertOneAsync(
            new BsonDocument { { "_id", "logs" }, { "watermark", watermark }, { "lease_owner", "old" }, { "lease_until", watermark } }, cancellationToken: Ct);

        await RollUpUntilCaughtUpAsync(Statistics);

        // The earlier design had counted the first batch; this one counts only the rest, and every log may now expire.
        var minutes = await Statistics.GetBucketsAsync(StatsInterval.OneMinute, now.AddHours(-3), now.AddHours(1), null, Ct);
        Assert.Equal(notCounted.Count, minutes.Sum(b => b.Total));
        Assert.Equal(counted.Count + notCounted.Count, await logs.CountDocumentsAsync(Builders<BsonDocument>.Filter.Eq("rollup", MongoLogStore.Counted), cancellationToken: Ct));
    }

    [Fact]
    public async Task A_cycle_interrupted_at_any_step_and_finished_by_another_replica_counts_every_log_once()
    {
        var now = DateTime.UtcNow;
        var written = new List<LogEvent>();
        var store = (MongoLogStore)Store;
        var other = (MongoLogStore)OpenSecondHandle();
        for (var step = 0; step < 4; step++)
        {
            var events = Generate(300, 90 + step, now, TimeSpan.FromHours(3));
            await Store.WriteBatchAsync(events, Ct);
            written.AddRange(events);

            // The first replica opens a cycle and stops after 'step' of its steps: open, claim, apply part
            // (half the minute buckets and every 5-minute one, no hourly one), apply all.
            var state = await store.ReadRollupStateAsync(Ct);
            var ids = await store.Logs.Find(MongoLogStore.PendingFilter).Sort(MongoLogStore.PendingOrder).Limit(store.MaxLogsPerCycle).Project(d => d.Id).ToListAsync(Ct);
            var cycle = new MongoLogStore.RollupCycle(state.Last!.Value + 1, ids, TakenOver: false);
            Assert.True(await store.OpenCycleAsync(state.Last.Value, cycle, "replica-a", Ct));
            if (step >= 1)
            {
                await store.ClaimAsync(cycle, Ct);
            }

            List<StatsDocument> minutes = [];
            if (step == 2)
            {
                minutes = await store.CountCycleAsync(cycle.Number, Ct);
                var models = MongoLogStore.ApplyModels(minutes, cycle.Number);
                await store.ApplyAsync(StatsInterval.OneMinute, models.Take(models.Count / 2).ToList(), Ct);
                await store.ApplyAsync(StatsInterval.FiveMinutes, MongoLogStore.ApplyModels(MongoLogStore.Widen(minutes, StatsInterval.FiveMinutes), cycle.Number), Ct);
            }
            else if (step == 3)
            {
                minutes = await store.CountCycleAsync(cycle.Number, Ct);
                await store.ApplyAsync(cycle.Number, minutes, Ct);
            }

            // The other replica takes the cycle over; then the first wakes up and applies its counts again.
            await Task.Delay(other.RollupTakeover + TimeSpan.FromMilliseconds(200), Ct);
            var takeover = await other.RollUpAsync("replica-b", Ct);
            Assert.True(takeover.Ran, $"takeover: {takeover}");
            await store.ApplyAsync(cycle.Number, minutes, Ct);

            await store.ClaimAsync(cycle, Ct);
            await RollUpUntilCaughtUpAsync(Statistics);
        }

        await AssertStatisticsMatchAsync(written);
    }

    /// <summary>MongoDB deletes by TTL in the background; here the documents' expiry dates are checked instead.</summary>
    protected override async Task AssertRetainedAsync(RetentionResult? result, List<LogEvent> old, List<LogEvent> recent, DateTime now)
    {
        var logs = new MongoClient(_connectionString).GetDatabase(MongoUrl.Create(_connectionString).DatabaseName).GetCollection<LogDocument>(MongoLogStore.LogsCollection);
        var expired = await logs.CountDocumentsAsync(d => d.ExpireAt < now, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(expired >= old.Count, $"{expired} logs carry an expiry in the past; expected at least the {old.Count} old ones");
    }

    [Fact]
    public async Task A_changed_statistics_retention_applies_on_the_next_start()
    {
        // The store was initialized with the defaults; a restart with other retention must not fail on the TTL index.
        var restarted = new MongoLogStore(_connectionString!, new RetentionOptions { MinuteStatsDays = 3, HourlyStatsDays = 500 });
        await restarted.InitializeAsync(TestContext.Current.CancellationToken);
        await restarted.InitializeAsync(TestContext.Current.CancellationToken);

        var database = new MongoClient(_connectionString).GetDatabase(MongoUrl.Create(_connectionString).DatabaseName);
        foreach (var (interval, days) in new[] { (StatsInterval.OneMinute, 3), (StatsInterval.FiveMinutes, 60), (StatsInterval.OneHour, 500) })
        {
            var indexes = await (await database.GetCollection<MongoDB.Bson.BsonDocument>(interval.CollectionName()).Indexes.ListAsync(TestContext.Current.CancellationToken))
                .ToListAsync(TestContext.Current.CancellationToken);
            var ttl = indexes.Single(i => i["name"] == MongoLogStore.StatsTtlIndex);
            Assert.Equal(TimeSpan.FromDays(days).TotalSeconds, ttl["expireAfterSeconds"].ToDouble());
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await new MongoClient(_connectionString).DropDatabaseAsync(MongoUrl.Create(_connectionString).DatabaseName);
        }
    }
}
