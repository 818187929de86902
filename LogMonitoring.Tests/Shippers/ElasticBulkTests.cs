using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Shippers;

/// <summary>Bulk requests as Fluent Bit, Vector and Filebeat send them, answered in the bulk response format.</summary>
public sealed class ElasticBulkTests(IngestHost host) : IClassFixture<IngestHost>
{
    [Fact]
    public async Task Each_action_gets_its_own_status_and_valid_documents_become_events()
    {
        var service = TopicEvent.NewService("bulk");
        var now = DateTime.UtcNow.ToString("O");
        var old = DateTime.UtcNow.AddDays(-60).ToString("O");
        var body = string.Join("\n",
            """{"create":{"_index":"fluent-bit","_id":"evt-1"}}""",
            $$$"""{"@timestamp":"{{{now}}}","log":"GET /health 200","level":"info","kubernetes":{"container_name":"{{{service}}}","host":"node-2"}}""",
            """{"index":{"_index":"fluent-bit"}}""",
            $$$"""{"@timestamp":"{{{now}}}","message":"payment declined","log":{"level":"error"},"service":{"name":"{{{service}}}"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"}}""",
            """{"update":{"_index":"fluent-bit","_id":"evt-1"}}""",
            """{"doc":{"log":"changed"}}""",
            """{"index":{}}""",
            $$$"""{"@timestamp":"{{{old}}}","message":"from long ago","service":"{{{service}}}"}""",
            """{"delete":{"_index":"fluent-bit","_id":"evt-1"}}""",
            """{"index":{}}""",
            "{not json") + "\n";

        var sent = Stopwatch.StartNew();
        using var response = await host.Client.PostAsync("/_bulk", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), TestContext.Current.CancellationToken);
        var roundTrip = sent.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Elasticsearch", response.Headers.GetValues("X-Elastic-Product").Single());
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(answer.RootElement.GetProperty("errors").GetBoolean());
        // "took" is the server's own time for the request in milliseconds: inside the client's round trip.
        Assert.InRange(answer.RootElement.GetProperty("took").GetInt64(), 0, (long)Math.Ceiling(roundTrip.TotalMilliseconds));
        var items = answer.RootElement.GetProperty("items").EnumerateArray().Select(i => i.EnumerateObject().Single()).ToList();
        Assert.Equal(["create", "index", "update", "index", "delete", "index"], items.Select(i => i.Name));
        Assert.Equal([201, 201, 400, 400, 400, 400], items.Select(i => i.Value.GetProperty("status").GetInt32()));
        Assert.Equal("evt-1", items[0].Value.GetProperty("_id").GetString());
        Assert.Equal("fluent-bit", items[1].Value.GetProperty("_index").GetString());
        Assert.Contains("days in the past", items[3].Value.GetProperty("error").GetProperty("reason").GetString());
        Assert.Equal("mapper_parsing_exception", items[5].Value.GetProperty("error").GetProperty("type").GetString());

        var events = await host.ReadEventsAsync(service, 2);
        var health = events.Single(e => e.Text("message") == "GET /health 200");
        Assert.Equal("INFO", health.Text("level"));
        Assert.Equal("evt-1", health.Text("id"));
        Assert.Equal("node-2", health.Metadata().GetProperty("kubernetes").GetProperty("host").GetString());
        var declined = events.Single(e => e.Text("message") == "payment declined");
        Assert.Equal("ERROR", declined.Text("level"));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", declined.Text("trace_id"));
        Assert.Equal(items[1].Value.GetProperty("_id").GetString(), declined.Text("id"));
    }

    [Fact]
    public async Task A_retried_document_with_an_id_keeps_its_store_key()
    {
        var service = TopicEvent.NewService("bulk-retry");
        var body = $$$"""
            {"index":{"_id":"same-key"}}
            {"message":"sent twice","service":"{{{service}}}"}

            """;

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await host.Client.PostAsync("/_bulk", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var events = await host.ReadEventsAsync(service, 2);
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("same-key", e.Text("id")));
        // The persister stores by this key, so the second copy is a duplicate, not a second log.
        Assert.Single(events.Select(e => LogEventId.ForSource(e.Text("service"), e.Text("id"))).Distinct());
    }

    [Fact]
    public async Task The_index_in_the_path_names_the_service_of_documents_without_one()
    {
        var index = TopicEvent.NewService("vector");
        var body = $$$"""{"create":{}}""" + "\n" + $$$"""{"timestamp":"{{{DateTime.UtcNow:O}}}","message":"from vector","host":"edge-1"}""" + "\n";

        using var response = await host.Client.PostAsync($"/{index}/_bulk", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = Assert.Single(await host.ReadEventsAsync(index, 1));
        Assert.Equal("edge-1", stored.Text("host"));
    }

    [Fact]
    public async Task A_malformed_action_line_fails_the_whole_request()
    {
        using var response = await host.Client.PostAsync("/_bulk", new StringContent("{\"upsert\":{}}\n{}\n", Encoding.UTF8, "application/x-ndjson"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(400, error.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("Malformed action/metadata line [1]", error.RootElement.GetProperty("error").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task More_documents_than_the_batch_limit_fail_the_request_with_413()
    {
        var body = new StringBuilder();
        for (var i = 0; i <= new LogLimits().MaxBatchEvents; i++)
        {
            body.Append("{\"index\":{}}\n{\"message\":\"m\",\"service\":\"bulk-limit\"}\n");
        }

        using var response = await host.Client.PostAsync("/_bulk", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("MaxBatchEvents", error.RootElement.GetProperty("error").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Clients_that_ask_for_the_version_are_told_a_compatible_one()
    {
        using var response = await host.Client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Elasticsearch", response.Headers.GetValues("X-Elastic-Product").Single());
        using var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("8.", info.RootElement.GetProperty("version").GetProperty("number").GetString());
    }
}
