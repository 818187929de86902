using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Formats;
using LogMonitoring.Ingest.Formats.Loki;

namespace LogMonitoring.Tests.Shippers;

/// <summary>The pieces the formats share: template rendering, Loki labels, levels in lines, names, severities, trace ids.</summary>
public sealed class FormatPieceTests
{
    private static string Render(string template, string propertiesJson)
    {
        using var properties = JsonDocument.Parse(propertiesJson);
        var root = properties.RootElement.Clone();
        return MessageTemplate.Render(template, hole => root.TryGetProperty(hole.Name, out var v) ? MessageTemplate.RenderJson(v, hole.Format) : null);
    }

    [Theory]
    [InlineData("User {UserId} signed in", """{"UserId":42}""", "User 42 signed in")]
    [InlineData("{{literal}} and {Name}", """{"Name":"x"}""", "{literal} and x")]
    [InlineData("Missing {Nope} stays", """{}""", "Missing {Nope} stays")]
    [InlineData("[{Name,5}] [{Name,-5}]", """{"Name":"ab"}""", "[   ab] [ab   ]")]
    [InlineData("{Elapsed:0.00} ms", """{"Elapsed":3.14159}""", "3.14 ms")]
    [InlineData("{@Order}", """{"Order":{"$type":"Order","Id":7,"Tags":["a","b"]}}""", "Order { Id: 7, Tags: [\"a\", \"b\"] }")]
    [InlineData("{0} then {1}", """{"0":"first","1":true}""", "first then True")]
    [InlineData("not a hole: { x } {", """{}""", "not a hole: { x } {")]
    [InlineData("JSON {\"a\":1}", """{}""", "JSON {\"a\":1}")]
    public void Message_templates_render_like_dotnet_loggers(string template, string properties, string expected) =>
        Assert.Equal(expected, Render(template, properties));

    [Fact]
    public void Loki_labels_parse_with_escapes()
    {
        var labels = LokiLabels.Parse("""{job="api", path="C:\\logs\\a \"b\"", empty=""}""");

        Assert.Equal(
            [KeyValuePair.Create("job", "api"), KeyValuePair.Create("path", "C:\\logs\\a \"b\""), KeyValuePair.Create("empty", "")],
            labels);
    }

    [Fact]
    public void Unterminated_loki_labels_are_refused() =>
        Assert.Throws<LogMonitoring.Ingest.Pipeline.IngestBodyException>(() => LokiLabels.Parse("""{job="api}"""));

    [Theory]
    [InlineData("ts=1 level=warn msg=x", LogEventLevel.Warn)]
    [InlineData("""{"msg":"x","level":"ERROR"}""", LogEventLevel.Error)]
    [InlineData("""{"severity": "debug"}""", LogEventLevel.Debug)]
    [InlineData("loglevel=fatal", LogEventLevel.Fatal)]
    [InlineData("sublevel=error but level=info", LogEventLevel.Info)]
    public void Levels_written_in_lines_are_found(string line, LogEventLevel expected) => Assert.Equal(expected, LevelInLine.Find(line));

    [Theory]
    [InlineData("no level here")]
    [InlineData("level=loud")]
    public void Lines_without_a_level_have_none(string line) => Assert.Null(LevelInLine.Find(line));

    [Theory]
    [InlineData("api-service", "api-service")]
    [InlineData("my service (prod)", "my_service__prod_")]
    [InlineData("  padded  ", "padded")]
    [InlineData("   ", null)]
    public void Service_names_keep_only_what_the_contract_allows(string name, string? expected) =>
        Assert.Equal(expected, ServiceName.Clean(name, 128));

    [Theory]
    [InlineData(1, LogEventLevel.Trace)]
    [InlineData(9, LogEventLevel.Info)]
    [InlineData(13, LogEventLevel.Warn)]
    [InlineData(20, LogEventLevel.Error)]
    [InlineData(24, LogEventLevel.Fatal)]
    public void Otel_severity_numbers_map_by_range(int number, LogEventLevel expected) =>
        Assert.Equal(expected, ShipperFields.FromOtelSeverity(number));

    [Fact]
    public void All_zero_trace_ids_mean_none()
    {
        Assert.Null(ShipperFields.HexId(new byte[16], 16));
        Assert.Null(ShipperFields.HexId("00000000000000000000000000000000", 32));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", ShipperFields.HexId("0AF7651916CD43DD8448EB211C80319C", 32));
    }
}
