using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// Each aggregation the MongoDB store runs, rendered to the JSON MongoDB receives. No server needed:
/// this checks the typed builders translate, and documents the rollups stage by stage.
/// </summary>
public sealed class MongoPipelineRenderTests
{
    private static readonly DateTime Minute = new(2024, 1, 15, 10, 30, 0, DateTimeKind.Utc);

    // A collection object only names the $merge target; nothing connects.
    private static IMongoCollection<StatsDocument> Target(string name) =>
        new MongoClient("mongodb://localhost:1").GetDatabase("logmonitoring").GetCollection<StatsDocument>(name);

    private static List<BsonDocument> Render<TIn, TOut>(PipelineDefinition<TIn, TOut> pipeline) =>
        pipeline.Render(new RenderArgs<TIn>(BsonSerializer.LookupSerializer<TIn>(), BsonSerializer.SerializerRegistry)).Documents.ToList();

    private static string Json(BsonValue value) => value.ToJson();


    [Fact]
    public void Finding_new_work_matches_on_stored_at_and_groups_minutes_per_service()
    {
        var stages = Render(MongoLogStore.DirtyBucketsPipeline(Minute, Minute.AddSeconds(5)));

        Assert.Equal(["$match", "$group", "$project"], stages.Select(s => s.GetElement(0).Name).Take(3));
        Assert.Contains("\"stored_at\"", Json(stages[0]));
        var group = Json(stages[1]);
        Assert.Contains("$dateTrunc", group);
        Assert.Contains("\"unit\" : \"minute\"", group);
        Assert.Contains("$service", group);
    }

    [Fact]
    public void Minute_buckets_are_recounted_from_raw_logs_and_merged()
    {
        var stages = Render(MongoLogStore.RecomputeMinutesPipeline(
            [new StatsKey { Bucket = Minute, Service = "api" }, new StatsKey { Bucket = Minute.AddMinutes(1), Service = "auth" }],
            Target("logs_minute_stats")));

        Assert.Equal("$match", stages[0].GetElement(0).Name);
        Assert.Equal(2, stages[0]["$match"]["$or"].AsBsonArray.Count);
        var group = Json(stages[1]["$group"]);
        foreach (var level in new[] { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" })
        {
            Assert.Contains($"\"{level}\"", group);
        }

        Assert.Contains("$max", group);
        Assert.Equal(["$match", "$group", "$project", "$project", "$merge"], stages.Select(st => st.GetElement(0).Name));
        var project = Json(stages[3]["$project"]);
        Assert.Contains("\"error_rate\"", project);
        Assert.Contains("\"errors\"", project);
        Assert.Contains("\"total\"", project);
        var merge = stages[^1]["$merge"].AsBsonDocument;
        Assert.Equal("logs_minute_stats", merge["into"].IsBsonDocument ? merge["into"]["coll"].AsString : merge["into"].AsString);
        Assert.Equal("replace", merge["whenMatched"].AsString);
        Assert.Equal("insert", merge["whenNotMatched"].AsString);
    }

    [Theory]
    [InlineData(StatsInterval.FiveMinutes, "logs_5m_stats", "\"unit\" : \"minute\", \"binSize\" : 5")]
    [InlineData(StatsInterval.OneHour, "logs_hourly_stats", "\"unit\" : \"hour\", \"binSize\" : 1")]
    public void Wider_buckets_are_summed_from_minute_buckets(StatsInterval interval, string collection, string truncation)
    {
        var stages = Render(MongoLogStore.RollUpPipeline(interval, [new StatsKey { Bucket = interval.BucketStart(Minute), Service = "api" }], Target(collection)));

        Assert.Equal("$match", stages[0].GetElement(0).Name);
        var group = Json(stages[1]["$group"]);
        Assert.Contains("$dateTrunc", group);
        Assert.Contains(truncation, group);
        Assert.Contains("\"$sum\" : \"$error\"", group);
        var merge = stages[^1]["$merge"].AsBsonDocument;
        Assert.Equal(collection, merge["into"].IsBsonDocument ? merge["into"]["coll"].AsString : merge["into"].AsString);
    }

    [Fact]
    public void Services_are_summed_from_the_hourly_buckets()
    {
        var stages = Render(MongoLogStore.ServicesPipeline());

        Assert.Equal("$group", stages[0].GetElement(0).Name);
        Assert.Equal("$service", stages[0]["$group"]["_id"].AsString);
        Assert.Equal("$sort", stages[^1].GetElement(0).Name);
    }
}
