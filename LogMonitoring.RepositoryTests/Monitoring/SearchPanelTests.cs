using System.Text.Json.Nodes;
using LogMonitoring.Query;
using LogMonitoring.TestSupport.Monitoring;

namespace LogMonitoring.RepositoryTests.Monitoring;

/// <summary>The dashboard's log panels speak the Stats API's query language.</summary>
public sealed class SearchPanelTests
{
    private static JsonObject Panel(string title) =>
        MonitoringFiles.Dashboards().SelectMany(d => MonitoringFiles.Panels(d.Dashboard)).Single(p => (string?)p["title"] == title);

    private static Dictionary<string, string> Parameters(JsonObject panel) =>
        panel["targets"]![0]!["url_options"]!["params"]!.AsArray().ToDictionary(p => (string)p!["key"]!, p => (string)p!["value"]!);

    [Fact]
    public void Recent_logs_pass_the_query_box_as_q()
    {
        var panel = Panel("Recent logs");

        Assert.Equal("/api/logs", (string?)panel["targets"]![0]!["url"]);
        Assert.Equal("${q}", Parameters(panel)["q"]);
    }

    [Fact]
    public void Errors_by_endpoint_counts_error_logs_by_route()
    {
        var panel = Panel("Errors by endpoint");
        var parameters = Parameters(panel);

        Assert.Equal("/api/logs/top", (string?)panel["targets"]![0]!["url"]);
        Assert.Equal("route", parameters["field"]);
        Assert.Equal("ERROR,FATAL", parameters["level"]);
        Assert.Equal("${q}", parameters["q"]);
        Assert.Equal("values", (string?)panel["targets"]![0]!["root_selector"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("timeout")]
    [InlineData("route:\"/api/orders/{id}\" AND NOT status:404")]
    public void What_the_query_box_holds_reaches_the_API_as_a_query(string box)
    {
        // Grafana substitutes the textbox as typed; the API must read it.
        Assert.True(QueryParser.Parse(box, DateTime.UtcNow).Success);
        Assert.Equal("textbox", (string?)MonitoringFiles.Variables(MonitoringFiles.Dashboards()[0].Dashboard).Single(v => (string?)v["name"] == "q")["type"]);
    }
}
