using LogMonitoring.Contracts;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// The MongoDB rollup cycle's commands as the server receives them, rendered without a server: what opens,
/// claims, applies and closes a cycle, and the partial indexes they rely on. What the server does with
/// them (duplicate keys, partial indexes, concurrent replicas) runs in the store contract suite.
/// </summary>
public sealed class MongoRollupCycleTests
{
    private static readonly DateTime Minute = new(2026, 1, 15, 10, 31, 0, DateTimeKind.Utc);

    private static BsonDocument Render<T>(FilterDefinition<T> filter) =>
        filter.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry));

    private static BsonDocument Render<T>(UpdateDefinition<T> update) =>
        update.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry)).AsBsonDocument;

    private static BsonDocument Render<T>(SortDefinition<T> sort) =>
        sort.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry));

    private static BsonDocument Render<T>(IndexKeysDefinition<T> keys) =>
        keys.Render(new RenderArgs<T>(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry));

    private static StatsDocument Counts(DateTime bucket, string service, long info, long error) => new()
    {
        Id = new StatsKey { Bucket = bucket, Service = service },
        Bucket = bucket,
        Service = service,
        Info = info,
        Error = error,
        Total = info + error,
        Errors = error,
        LastSeen = bucket.AddSeconds(30),
    };

    [Fact]
    public void A_new_log_is_stored_not_counted_yet()
    {
        var e = new LogEvent { Id = "a", Timestamp = Minute, Level = LogEventLevel.Info, Service = "api", Message = "m" };

        var document = LogDocument.From(e, Minute, Minute.AddDays(30)).ToBsonDocument();

        Assert.Equal(new BsonInt64(MongoLogStore.Uncounted), document["rollup"]);
    }

    [Fact]
    public void Uncounted_logs_are_in_a_partial_index_and_only_counted_ones_can_expire()
    {
        var indexes = MongoLogStore.RollupIndexes();

        var pending = indexes.Single(i => i.Options.Name == MongoLogStore.PendingIndex);
        Assert.Equal(BsonDocument.Parse("{ rollup: 1, stored_at: 1 }"), Render(pending.Keys));
        Assert.Equal(BsonDocument.Parse("{ rollup: { $gte: NumberLong(0) } }"), Render(((CreateIndexOptions<LogDocument>)pending.Options).PartialFilterExpression));
        var ttl = indexes.Single(i => i.Options.Name == MongoLogStore.CountedTtlIndex);
        Assert.Equal(BsonDocument.Parse("{ expire_at: 1 }"), Render(ttl.Keys));
        Assert.Equal(TimeSpan.Zero, ttl.Options.ExpireAfter);
        // $lt is one of the operators a partial (and TTL) index accepts; $exists: false would not be.
        Assert.Equal(BsonDocument.Parse("{ rollup: { $lt: NumberLong(0) } }"), Render(((CreateIndexOptions<LogDocument>)ttl.Options).PartialFilterExpression));
        Assert.NotEqual(MongoLogStore.LegacyTtlIndex, MongoLogStore.CountedTtlIndex);
    }

    [Fact]
    public void A_cycle_takes_unclaimed_logs_oldest_first_in_the_order_of_the_partial_index()
    {
        Assert.Equal(BsonDocument.Parse("{ rollup: NumberLong(0) }"), Render(MongoLogStore.PendingFilter));
        var pending = MongoLogStore.RollupIndexes().Single(i => i.Options.Name == MongoLogStore.PendingIndex);
        Assert.Equal(Render(pending.Keys), Render(MongoLogStore.PendingOrder));
    }

    [Fact]
    public void Opening_a_cycle_is_a_compare_and_set_on_the_last_closed_one()
    {
        Assert.Equal(BsonDocument.Parse("{ _id: 'logs', last: NumberLong(41), open: null }"), Render(MongoLogStore.OpenCycleFilter(41)));
    }

    [Fact]
    public void Claiming_takes_only_the_named_logs_no_cycle_has_taken()
    {
        Assert.Equal(
            BsonDocument.Parse("{ _id: { $in: ['a', 'b'] }, rollup: NumberLong(0) }"),
            Render(MongoLogStore.ClaimFilter(["a", "b"])));
    }

    [Fact]
    public void A_bucket_takes_a_cycle_only_if_its_last_cycle_is_older_or_missing()
    {
        var filter = Render(MongoLogStore.ApplyFilter(new StatsKey { Bucket = Minute, Service = "api" }, 42));

        Assert.Equal(new BsonDocument { { "bucket", Minute }, { "service", "api" } }, filter["_id"].AsBsonDocument);
        // $not matches buckets written before cycles were numbered (no field), where $lt would not.
        Assert.Equal(BsonDocument.Parse("{ $not: { $gte: NumberLong(42) } }"), filter["cycle"].AsBsonDocument);
    }

    [Fact]
    public void Applying_adds_the_counts_keeps_the_newest_time_and_records_the_cycle()
    {
        var update = Render(MongoLogStore.ApplyUpdate(Counts(Minute, "api", info: 3, error: 2), 42));

        Assert.Equal(new BsonDocument { { "bucket", Minute }, { "service", "api" } }, update["$setOnInsert"].AsBsonDocument);
        Assert.Equal(
            BsonDocument.Parse("{ trace: NumberLong(0), debug: NumberLong(0), info: NumberLong(3), warn: NumberLong(0), error: NumberLong(2), fatal: NumberLong(0), total: NumberLong(5), errors: NumberLong(2) }"),
            update["$inc"].AsBsonDocument);
        Assert.Equal(new BsonDocument("last_seen", Minute.AddSeconds(30)), update["$max"].AsBsonDocument);
        Assert.Equal(BsonDocument.Parse("{ cycle: NumberLong(42) }"), update["$set"].AsBsonDocument);
        Assert.Equal("error_rate", update["$unset"].AsBsonDocument.GetElement(0).Name);
        Assert.Equal(["$setOnInsert", "$inc", "$max", "$set", "$unset"], update.Names);
    }

    [Fact]
    public void Every_bucket_is_an_upsert_so_a_bucket_the_cycle_already_reached_fails_on_its_key()
    {
        var models = MongoLogStore.ApplyModels([Counts(Minute, "api", 1, 0), Counts(Minute, "auth", 0, 1)], 7);

        Assert.All(models, m => Assert.True(m.IsUpsert));
        Assert.Equal(2, models.Count);
    }

    [Fact]
    public void Wider_buckets_are_the_sums_of_the_cycle_s_minute_counts()
    {
        var minutes = new List<StatsDocument>
        {
            Counts(Minute, "api", 3, 1),
            Counts(Minute.AddMinutes(1), "api", 2, 0),
            Counts(Minute.AddMinutes(4), "api", 1, 1),
            Counts(Minute.AddMinutes(20), "api", 5, 0),
            Counts(Minute, "auth", 1, 0),
        };

        var five = MongoLogStore.Widen(minutes, StatsInterval.FiveMinutes).OrderBy(b => b.Bucket).ThenBy(b => b.Service, StringComparer.Ordinal).ToList();
        var hours = MongoLogStore.Widen(minutes, StatsInterval.OneHour).OrderBy(b => b.Service, StringComparer.Ordinal).ToList();

        Assert.Equal([(Minute.AddMinutes(-1), "api", 6L), (Minute.AddMinutes(-1), "auth", 1L), (Minute.AddMinutes(4), "api", 2L), (Minute.AddMinutes(19), "api", 5L)],
            five.Select(b => (b.Bucket, b.Service, b.Total)));
        Assert.Equal(5, five[0].Info);
        Assert.Equal(1, five[0].Errors);
        Assert.Equal(Minute.AddMinutes(1).AddSeconds(30), five[0].LastSeen);
        Assert.All(five, b => Assert.Equal(new StatsKey { Bucket = b.Bucket, Service = b.Service }.ToBsonDocument(), b.Id.ToBsonDocument()));
        Assert.Equal([(new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc), "api", 13L), (new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc), "auth", 1L)],
            hours.Select(b => (b.Bucket, b.Service, b.Total)));
        Assert.Equal(Minute.AddMinutes(20).AddSeconds(30), hours[0].LastSeen);
    }

    [Fact]
    public void The_services_list_keeps_each_service_s_newest_log_time_with_max()
    {
        var models = MongoLogStore.ServiceModels([Counts(Minute, "api", 1, 0), Counts(Minute.AddMinutes(3), "api", 1, 0), Counts(Minute, "auth", 1, 0)]);

        Assert.Equal(2, models.Count);
        Assert.All(models, m => Assert.True(m.IsUpsert));
        Assert.Equal(BsonDocument.Parse("{ _id: 'api' }"), Render(models[0].Filter));
        Assert.Equal(new BsonDocument("$max", new BsonDocument("last_seen", Minute.AddMinutes(3).AddSeconds(30))), Render(models[0].Update));
    }

    [Fact]
    public void Closing_marks_the_cycle_s_logs_counted_then_moves_the_state_on_once()
    {
        Assert.Equal(BsonDocument.Parse("{ _id: 'logs', open: NumberLong(42) }"), Render(MongoLogStore.CloseCycleFilter(42)));
        Assert.Equal(
            BsonDocument.Parse("{ $set: { last: NumberLong(42), open: null }, $unset: { ids: 1, opened_at: 1, owner: 1 } }"),
            Render(MongoLogStore.CloseCycleUpdate(42)));
    }

    [Fact]
    public void The_first_cycle_of_this_design_starts_from_cycle_zero_and_drops_the_lease()
    {
        Assert.Equal(BsonDocument.Parse("{ _id: 'logs', last: { $exists: false } }"), Render(MongoLogStore.StartFilter));
        var update = Render(MongoLogStore.StartUpdate);
        Assert.Equal(BsonDocument.Parse("{ last: NumberLong(0), open: null }"), update["$set"].AsBsonDocument);
        Assert.Equal(["watermark", "lease_owner", "lease_until"], update["$unset"].AsBsonDocument.Names);
    }

    [Fact]
    public void Logs_from_before_the_upgrade_are_counted_up_to_the_earlier_watermark_and_wait_after_it()
    {
        var watermark = Minute;

        var marks = MongoLogStore.EarlierLogMarks(watermark).Select(m => (Render(m.Filter), m.Rollup)).ToList();

        Assert.Equal(
            [
                (new BsonDocument { { "rollup", new BsonDocument("$exists", false) }, { "stored_at", new BsonDocument("$lt", watermark) } }, MongoLogStore.Counted),
                (new BsonDocument { { "rollup", 0L }, { "stored_at", new BsonDocument("$lt", watermark) } }, MongoLogStore.Counted),
                (new BsonDocument("rollup", new BsonDocument("$exists", false)), MongoLogStore.Uncounted),
            ],
            marks);
        // A database the earlier rollups never ran on: everything waits for a cycle.
        Assert.Equal([(new BsonDocument("rollup", new BsonDocument("$exists", false)), MongoLogStore.Uncounted)],
            MongoLogStore.EarlierLogMarks(null).Select(m => (Render(m.Filter), m.Rollup)));
    }
}
