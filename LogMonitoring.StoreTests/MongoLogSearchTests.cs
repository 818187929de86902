using LogMonitoring.Storage;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Search;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The search contract on a live MongoDB (<c>LOGMON_TEST_MONGO</c>; CI runs it), plus the plans MongoDB
/// chooses, read with <c>explain</c>: no in-memory sort, and a deep cursor page examines no more index
/// keys than the first page.
/// </summary>
public sealed class MongoLogSearchTests : LogSearchContract
{
    private string? _connectionString;

    private MongoLogStore Mongo => (MongoLogStore)Store;

    protected override TimeSpan TailSettleTime => TimeSpan.FromMilliseconds(700);

    protected override Task<ILogStore> CreateStoreAsync(SearchOptions search)
    {
        var configured = Environment.GetEnvironmentVariable(MongoLogStoreTests.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            Assert.Skip($"No MongoDB here: set {MongoLogStoreTests.ConnectionVariable} to a connection string (e.g. mongodb://localhost:27017) to run the MongoDB search contract tests.");
        }

        _connectionString = new MongoUrlBuilder(configured) { DatabaseName = $"logmon_search_{Guid.NewGuid():N}" }.ToString();
        return Task.FromResult<ILogStore>(new MongoLogStore(_connectionString) { Search = search });
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await new MongoClient(_connectionString).DropDatabaseAsync(MongoUrl.Create(_connectionString).DatabaseName);
        }
    }

    private async Task<BsonDocument> ExplainAsync(LogQuery query, int limit, LogCursor? after)
    {
        var find = Mongo.FindPage(query, limit, after);
        var args = new RenderArgs<LogDocument>(BsonSerializer.LookupSerializer<LogDocument>(), BsonSerializer.SerializerRegistry);
        var command = new BsonDocument
        {
            {
                "explain", new BsonDocument
                {
                    { "find", MongoLogStore.LogsCollection },
                    { "filter", find.Filter.Render(args) },
                    { "sort", find.Options.Sort.Render(args) },
                    { "limit", limit + 1 },
                }
            },
            { "verbosity", "executionStats" },
        };
        return await Mongo.Database.RunCommandAsync<BsonDocument>(command, cancellationToken: Ct);
    }

    private static IEnumerable<string> Stages(BsonValue plan)
    {
        if (plan is not BsonDocument document)
        {
            yield break;
        }

        if (document.TryGetValue("stage", out var stage))
        {
            yield return stage.AsString;
        }

        foreach (var element in document.Elements.Where(e => e.Name is "inputStage" or "inputStages" or "queryPlan"))
        {
            foreach (var child in element.Value is BsonArray array ? array : [element.Value])
            {
                foreach (var nested in Stages(child))
                {
                    yield return nested;
                }
            }
        }
    }

    public static TheoryData<string> PageQueries() => new(
        "", "service:api-service", "level:ERROR", "level:ERROR,FATAL", "host:web-1", $"trace_id:{SearchCorpus.Trace}", "user_id:u1",
        "timestamp>=2024-03-01T12:00:30Z", "service:web AND level:INFO");

    [Theory]
    [MemberData(nameof(PageQueries))]
    public async Task A_page_is_served_by_an_index_without_an_in_memory_sort(string text)
    {
        var explain = await ExplainAsync(new LogQuery { Where = string.IsNullOrEmpty(text) ? null : Q(text) }, 20, null);

        var stages = Stages(explain["queryPlanner"]["winningPlan"]).ToList();
        Assert.Contains("IXSCAN", stages);
        Assert.DoesNotContain("SORT", stages);
        Assert.DoesNotContain("COLLSCAN", stages);
    }

    [Theory]
    [InlineData("")]
    [InlineData("service:api-service")]
    [InlineData("level:ERROR,FATAL")]
    public async Task A_deep_cursor_page_examines_as_many_keys_as_the_first(string text)
    {
        var query = new LogQuery { Where = string.IsNullOrEmpty(text) ? null : Q(text) };
        var all = await AllPagesAsync(query, 1000);
        var deep = all[^12];
        var first = await ExplainAsync(query, 5, null);
        var last = await ExplainAsync(query, 5, new LogCursor(deep.Timestamp, deep.Id));

        var firstKeys = first["executionStats"]["totalKeysExamined"].ToInt64();
        var lastKeys = last["executionStats"]["totalKeysExamined"].ToInt64();
        Assert.True(lastKeys <= firstKeys + 4, $"page 1 examined {firstKeys} keys, a page {all.Count - 12} logs deep examined {lastKeys}");
    }

    [Fact]
    public async Task Logs_stored_before_the_text_fields_existed_are_found_by_text_after_the_backfill()
    {
        // Stored as the store wrote logs before it kept text-search fields.
        var older = Events[0] with { Id = "older-1", Message = "Ledger reconciliation STALLED at shard 7" };
        var document = LogDocument.From(older, DateTime.UtcNow, DateTime.UtcNow.AddDays(30)).ToBsonDocument();
        document.Remove("text_folded");
        document.Remove("text_grams");
        await Mongo.Database.GetCollection<BsonDocument>(MongoLogStore.LogsCollection).InsertOneAsync(document, cancellationToken: Ct);
        var query = new LogQuery { Where = Q("\"reconciliation stalled\"") };
        Assert.Equal(0, await Store.CountAsync(query, Ct));

        Assert.Equal(1, await Mongo.BackfillTextAsync(batchSize: 7, Ct));

        var found = Assert.Single((await Store.SearchAsync(query, 10, null, Ct)).Items);
        Assert.Equal("older-1", found.Id);
        Assert.Equal(0, await Mongo.BackfillTextAsync(batchSize: 7, Ct));
        Assert.Equal(Events.Count + 1, await Mongo.Logs.CountDocumentsAsync(FilterDefinition<LogDocument>.Empty, cancellationToken: Ct));
    }
}
