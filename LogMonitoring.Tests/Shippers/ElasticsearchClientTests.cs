using System.Text;
using System.Text.Json.Serialization;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;

namespace LogMonitoring.Tests.Shippers;

/// <summary>
/// The official Elasticsearch .NET client (Elastic.Clients.Elasticsearch), unchanged, bulk-indexing into
/// ingest with its own API key authentication: every document arrives in Kafka as a log event.
/// </summary>
public sealed class ElasticsearchClientTests(IngestHost host) : IClassFixture<IngestHost>
{
    private const int Documents = 50;

    /// <summary>An ECS-shaped log document, as Elastic's logging libraries write them.</summary>
    public sealed record EcsLog(
        [property: JsonPropertyName("@timestamp")] DateTime Timestamp,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("log.level")] string Level,
        [property: JsonPropertyName("service.name")] string Service,
        [property: JsonPropertyName("order_id")] int OrderId);

    public static TheoryData<string> KeyForms() => ["encoded id:key", "raw key"];

    [Theory]
    [MemberData(nameof(KeyForms))]
    public async Task Bulk_indexing_with_the_clients_api_key_stores_every_document(string form)
    {
        var service = TopicEvent.NewService("es-client");
        var key = form == "raw key"
            ? new ApiKey(IngestHost.WriterKey)
            : new ApiKey(Convert.ToBase64String(Encoding.UTF8.GetBytes($"logmon-key-id:{IngestHost.WriterKey}")));
        var settings = new ElasticsearchClientSettings(host.BaseAddress)
            .Authentication(key)
            .DefaultIndex("app-logs");
        var client = new ElasticsearchClient(settings);
        var now = DateTime.UtcNow;
        var logs = Enumerable.Range(0, Documents)
            .Select(i => new EcsLog(now.AddMilliseconds(i), $"order {i} shipped", i % 10 == 0 ? "error" : "info", service, i))
            .ToList();

        var response = await client.BulkAsync(bulk => bulk.Index("app-logs").IndexMany(logs), TestContext.Current.CancellationToken);

        Assert.True(response.IsValidResponse, response.DebugInformation);
        Assert.False(response.Errors, response.DebugInformation);
        Assert.Equal(Documents, response.Items.Count);
        Assert.All(response.Items, item => Assert.Equal(201, item.Status));
        Assert.Equal("/app-logs/_bulk", response.ApiCallDetails.Uri!.AbsolutePath);
        var events = await host.ReadEventsAsync(service, Documents);
        Assert.Equal(Documents, events.Count);
        Assert.Equal(Documents / 10, events.Count(e => e.Text("level") == "ERROR"));
        Assert.Equal(Enumerable.Range(0, Documents).Select(i => $"order {i} shipped").Order(), events.Select(e => e.Text("message")).Order());
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_and_nothing_is_stored()
    {
        var service = TopicEvent.NewService("es-client-wrong");
        var settings = new ElasticsearchClientSettings(host.BaseAddress)
            .Authentication(new ApiKey(Convert.ToBase64String(Encoding.UTF8.GetBytes("id:not-the-key"))));
        var client = new ElasticsearchClient(settings);

        var response = await client.BulkAsync(bulk => bulk.Index("app-logs").IndexMany([new EcsLog(DateTime.UtcNow, "refused", "info", service, 1)]),
            TestContext.Current.CancellationToken);

        Assert.False(response.IsValidResponse);
        Assert.Equal(401, response.ApiCallDetails.HttpStatusCode);
        Assert.Empty(await host.ReadEventsAsync(service, 1, TimeSpan.FromSeconds(2)));
    }
}
