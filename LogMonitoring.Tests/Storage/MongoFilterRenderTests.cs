using LogMonitoring.Query;
using LogMonitoring.Storage;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Search;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// Each query as the filter MongoDB receives, rendered from the typed builders without a server: values
/// stay values, text is matched with <c>$indexOfCP</c> on folded text (never a pattern), and every
/// search sort has an index to walk.
/// </summary>
public sealed class MongoFilterRenderTests
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    private static readonly RenderArgs<LogDocument> Args = new(BsonSerializer.LookupSerializer<LogDocument>(), BsonSerializer.SerializerRegistry);

    private static string Render(string query) =>
        MongoFilter.Build(new LogQuery { Where = QueryParser.ParseValid(query, Now) }).Render(Args).ToJson();

    [Theory]
    [InlineData("service:api-service AND user_id:u1", """{ "service" : { "$in" : ["api-service"] }, "metadata.user_id" : { "$in" : ["u1"] } }""")]
    [InlineData("trace_id:4bf92f3577b34da6a3ce929d0e0e4736", """{ "trace_id" : { "$in" : ["4bf92f3577b34da6a3ce929d0e0e4736"] } }""")]
    [InlineData("duration_ms>500", """{ "metadata.duration_ms" : { "$gt" : 500 } }""")]
    [InlineData("level:ERROR,FATAL AND (host:web-1 OR host:web-2)", """{ "level" : { "$in" : ["ERROR", "FATAL"] }, "$or" : [{ "host" : { "$in" : ["web-1"] } }, { "host" : { "$in" : ["web-2"] } }] }""")]
    [InlineData("user_id:12345", """{ "metadata.user_id" : { "$in" : ["12345", 12345] } }""")]
    [InlineData("flag:true", """{ "metadata.flag" : { "$in" : ["true", true] } }""")]
    [InlineData("NOT host:*", """{ "host" : { "$exists" : false } }""")]
    [InlineData("-level:INFO", """{ "level" : { "$nin" : ["INFO"] } }""")]
    [InlineData("level>=ERROR", """{ "level" : { "$in" : ["ERROR", "FATAL"] } }""")]
    [InlineData("host:web-*", """{ "host" : { "$gte" : "web-", "$lt" : "web." } }""")]
    [InlineData("http.status>=500", """{ "metadata.http.status" : { "$gte" : 500 } }""")]
    public void Field_terms_render_as_typed_filters(string query, string expected) =>
        Assert.Equal(expected, Render(query).Replace("NumberLong(\"500\")", "500", StringComparison.Ordinal));

    [Fact]
    public void Text_is_narrowed_by_trigrams_and_decided_on_folded_text()
    {
        var filter = Render("\"Timed OUT\"");

        Assert.Contains("""{ "text_grams" : { "$all" : [" ou", "d o", "ed ", "ime", "med", "out", "tim"] } }""", filter, StringComparison.Ordinal);
        Assert.Contains("""{ "text_long" : true }""", filter, StringComparison.Ordinal);
        Assert.Contains("""{ "$indexOfCP" : ["$text_folded", "timed out"] }""", filter, StringComparison.Ordinal);
        Assert.DoesNotContain("$regex", filter, StringComparison.Ordinal);
    }

    [Fact]
    public void A_needle_shorter_than_a_trigram_is_checked_directly() =>
        Assert.Equal("""{ "$expr" : { "$gte" : [{ "$indexOfCP" : ["$text_folded", "ab"] }, 0] } }""", Render("ab"));

    [Theory]
    [InlineData("\"$where\"")]
    [InlineData("\"$text_folded\"")]
    public void A_needle_that_looks_like_a_field_path_is_a_literal(string query) =>
        Assert.Contains("{ \"$literal\" : \"" + query.Trim('"') + "\" }", Render(query), StringComparison.Ordinal);

    [Theory]
    [InlineData("service:\"{\\\"$gt\\\": \\\"\\\"}\"", "service")]
    [InlineData("user_id:\"$ne\"", "metadata.user_id")]
    public void Operator_looking_values_are_plain_strings(string query, string field)
    {
        var rendered = MongoFilter.Build(new LogQuery { Where = QueryParser.ParseValid(query, Now) }).Render(Args);

        var values = rendered[field]["$in"].AsBsonArray;
        Assert.All(values, v => Assert.Equal(BsonType.String, v.BsonType));
    }

    [Fact]
    public void Negated_text_keeps_logs_without_the_text()
    {
        var rendered = MongoFilter.Build(new LogQuery { Where = QueryParser.ParseValid("NOT timeout", Now) }).Render(Args);

        Assert.Equal("$nor", rendered.GetElement(0).Name);
    }

    [Fact]
    public void The_cursor_condition_is_bounded_by_the_cursor_timestamp()
    {
        var at = new DateTime(2026, 1, 15, 10, 0, 0, DateTimeKind.Utc);
        var rendered = MongoFilter.After(new LogCursor(at, "abc")).Render(Args);

        Assert.Equal(new BsonDateTime(at), rendered["timestamp"]["$lte"]);
        Assert.Equal(2, rendered["$or"].AsBsonArray.Count);
    }

    [Fact]
    public void Every_field_a_page_filters_by_equality_has_an_index_ending_in_timestamp_and_id()
    {
        var store = new MongoLogStore("mongodb://localhost:1/logmonitoring") { Search = new SearchOptions { IndexedFields = ["user_id", "http.route"] } };
        var keys = store.SearchIndexes().Select(i => i.Keys.Render(new RenderArgs<LogDocument>(Args.DocumentSerializer, Args.SerializerRegistry))).ToList();

        foreach (var field in new[] { "service", "level", "host", "trace_id", "metadata.user_id", "metadata.http.route" })
        {
            Assert.Contains(keys, k => k.ElementCount == 3 && k.GetElement(0).Name == field &&
                                       k.GetElement(1) == new BsonElement("timestamp", -1) && k.GetElement(2) == new BsonElement("_id", -1));
        }

        Assert.Contains(keys, k => k == new BsonDocument { { "timestamp", -1 }, { "_id", -1 } });
        Assert.Contains(keys, k => k == new BsonDocument("text_grams", 1));
    }

    [Fact]
    public void Every_query_carries_the_timeout_and_sorts_newest_first()
    {
        var store = new MongoLogStore("mongodb://localhost:1/logmonitoring") { Search = new SearchOptions { QueryTimeout = TimeSpan.FromSeconds(3) } };
        var find = store.FindPage(new LogQuery(), 10, null);

        Assert.Equal(TimeSpan.FromSeconds(3), find.Options.MaxTime);
        Assert.Equal(new BsonDocument { { "timestamp", -1 }, { "_id", -1 } }, find.Options.Sort.Render(Args));
        Assert.Equal(11, find.Options.Limit);
    }

    [Fact]
    public void Histogram_and_top_pipelines_group_on_the_server()
    {
        static List<BsonDocument> Stages<TOut>(PipelineDefinition<LogDocument, TOut> pipeline) =>
            pipeline.Render(new RenderArgs<LogDocument>(Args.DocumentSerializer, Args.SerializerRegistry)).Documents.ToList();

        var histogram = Stages(MongoLogStore.HistogramPipeline(new LogQuery { Where = QueryParser.ParseValid("level:ERROR", Now) }, TimeSpan.FromMinutes(5)));
        Assert.Equal(["$match", "$group"], histogram.Select(s => s.GetElement(0).Name).Take(2));
        Assert.Matches("\"unit\" : \"second\", \"binSize\" : (NumberLong\\()?300", histogram[1].ToJson());

        var top = Stages(MongoLogStore.TopPipeline(new LogQuery(), FieldRef.Metadata("http", "route"), 5));
        Assert.Equal(["$match", "$group", "$sort", "$limit"], top.Select(s => s.GetElement(0).Name));
        Assert.Equal("$metadata.http.route", top[1]["$group"]["_id"].AsString);
    }
}
