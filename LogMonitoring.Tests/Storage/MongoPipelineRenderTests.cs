using LogMonitoring.Storage.MongoDb;
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

    private static List<BsonDocument> Render<TIn, TOut>(PipelineDefinition<TIn, TOut> pipeline) =>
        pipeline.Render(new RenderArgs<TIn>(BsonSerializer.LookupSerializer<TIn>(), BsonSerializer.SerializerRegistry)).Documents.ToList();

    private static string Json(BsonValue value) => value.ToJson();

    [Fact]
    public void A_cycle_counts_its_own_logs_per_minute_and_service()
    {
        var stages = Render(MongoLogStore.CountPipeline(42));

        Assert.Equal(["$match", "$group", "$project", "$project"], stages.Select(s => s.GetElement(0).Name));
        Assert.Equal(BsonDocument.Parse("{ $match: { rollup: NumberLong(42) } }"), stages[0]);
        var group = Json(stages[1]["$group"]);
        Assert.Contains("$dateTrunc", group);
        Assert.Contains("\"unit\" : \"minute\"", group);
        Assert.Contains("$service", group);
        foreach (var level in new[] { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" })
        {
            Assert.Contains($"\"{level}\"", group);
        }

        Assert.Contains("\"$max\" : \"$timestamp\"", group);
        var project = Json(stages[^1]["$project"]);
        Assert.Contains("\"total\"", project);
        Assert.Contains("\"errors\"", project);
        Assert.DoesNotContain("error_rate", project);
    }

    [Fact]
    public void Services_sum_the_hourly_buckets_of_the_window_only()
    {
        var since = Minute.AddHours(-24);
        var stages = Render(MongoLogStore.ServicesPipeline(since));

        Assert.Equal(["$match", "$group"], stages.Select(s => s.GetElement(0).Name).Take(2));
        Assert.Equal(new BsonDocument("bucket", new BsonDocument("$gte", since)), stages[0]["$match"].AsBsonDocument);
        Assert.Equal("$service", stages[1]["$group"]["_id"].AsString);
        Assert.Contains("\"$sum\" : \"$error\"", Json(stages[1]));
    }

    [Fact]
    public void The_services_list_is_filled_once_from_the_hourly_buckets_without_overwriting_newer_times()
    {
        var services = new MongoClient("mongodb://localhost:1").GetDatabase("logmonitoring").GetCollection<ServiceDocument>(MongoLogStore.ServicesCollection);
        var stages = Render(MongoLogStore.ServicesBackfillPipeline(services));

        Assert.Equal("$group", stages[0].GetElement(0).Name);
        Assert.Contains("\"$max\" : \"$last_seen\"", Json(stages[0]));
        var merge = stages[^1]["$merge"].AsBsonDocument;
        Assert.Equal(MongoLogStore.ServicesCollection, merge["into"].IsBsonDocument ? merge["into"]["coll"].AsString : merge["into"].AsString);
        Assert.Equal("keepExisting", merge["whenMatched"].AsString);
    }
}
