using System.Net;
using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Shippers;

/// <summary>POST /api/logs answers what is wrong per event and per body with the contract's error codes and fields.</summary>
public sealed class NativeApiTests(IngestHost host) : IClassFixture<IngestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refused_events_are_listed_with_a_code_and_a_field_next_to_the_accepted_ones()
    {
        var service = TopicEvent.NewService("native");
        var body = $$$"""[{"level":"INFO","service":"{{{service}}}","message":"fine"},{"level":"LOUD","service":"{{{service}}}","message":"m","metadata":{"$where":"1"}}]""";

        using var response = await host.Client.PostAsync("/api/logs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(1, answer.RootElement.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(answer.RootElement.GetProperty("rejected").EnumerateArray().ToList());
        Assert.Equal(1, rejected.GetProperty("index").GetInt32());
        Assert.Equal(["index", "problems", "errors"], rejected.EnumerateObject().Select(p => p.Name));
        Assert.All(rejected.GetProperty("problems").EnumerateArray(), p => Assert.Equal(["code", "field", "message"], p.EnumerateObject().Select(f => f.Name)));
        var problems = rejected.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("code").GetString(), p.GetProperty("field").GetString())).ToList();
        Assert.Equal([(LogEventErrorCodes.UnknownLevel, "level"), (LogEventErrorCodes.InvalidKey, "metadata.$where")], problems);
        Assert.StartsWith("level: 'LOUD' is not a level", rejected.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Single(await host.ReadEventsAsync(service, 1));
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_problem_details_with_its_code_and_field()
    {
        using var response = await host.Client.PostAsync("/api/logs", new StringContent("{\"level\":", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(LogEventErrorCodes.NotJson, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal("body", problem.RootElement.GetProperty("field").GetString());
        Assert.StartsWith("body: not valid JSON", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
