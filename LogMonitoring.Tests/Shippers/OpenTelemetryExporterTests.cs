using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace LogMonitoring.Tests.Shippers;

/// <summary>The OpenTelemetry .NET SDK's OTLP log exporter (HTTP/protobuf), unchanged, pointed at <c>/v1/logs</c>.</summary>
public sealed class OpenTelemetryExporterTests(IngestHost host) : IClassFixture<IngestHost>
{
    [Fact]
    public async Task Every_record_arrives_with_its_attributes_and_trace_context()
    {
        var service = TopicEvent.NewService("otel");
        var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddOpenTelemetry(otel =>
            {
                otel.SetResourceBuilder(ResourceBuilder.CreateEmpty()
                    .AddService(service, serviceInstanceId: "instance-1")
                    .AddAttributes([new("host.name", "node-7"), new("deployment.environment", "test")]));
                otel.AddOtlpExporter(exporter =>
                {
                    exporter.Endpoint = new Uri(host.BaseAddress, "v1/logs");
                    exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                    exporter.Headers = $"X-Api-Key={IngestHost.WriterKey}";
                });
            }));
        var logger = loggerFactory.CreateLogger("Shop.Checkout");

        using var activity = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start();
        logger.LogTrace("Cart {CartId} loaded", "c-1");
        logger.LogDebug("Applying {Rules} price rules", 3);
        logger.LogInformation("Order {OrderId} shipped to {City} in {Elapsed:0.0} s", 1234, "Oslo", 2.345);
        logger.LogWarning("Stock low for {Sku}: {Left} left", "SKU-9", 2);
        logger.LogError(new InvalidOperationException("card declined"), "Payment failed for order {OrderId}", 1234);
        logger.LogCritical("Database unreachable, paid={Paid}", true);
        activity.Stop();
        loggerFactory.Dispose();

        var events = await host.ReadEventsAsync(service, 6);

        Assert.Equal(6, events.Count);
        Assert.Equal(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], events.Select(e => e.Text("level")).Order(StringComparer.Ordinal).OrderBy(Rank));
        Assert.All(events, e =>
        {
            Assert.Equal("node-7", e.Text("host"));
            Assert.Equal(activity.TraceId.ToHexString(), e.Text("trace_id"));
            Assert.Equal(activity.SpanId.ToHexString(), e.Text("span_id"));
            Assert.Equal("Shop.Checkout", e.Metadata().GetProperty("scope").GetString());
            var resource = e.Metadata().GetProperty("resource");
            Assert.Equal("test", resource.GetProperty("deployment.environment").GetString());
            Assert.Equal("instance-1", resource.GetProperty("service.instance.id").GetString());
        });

        var shipped = events.Single(e => e.Text("level") == "INFO");
        Assert.Equal("Order 1234 shipped to Oslo in 2.3 s", shipped.Text("message"));
        Assert.Equal(1234, shipped.Metadata().GetProperty("OrderId").GetInt32());
        Assert.Equal("Oslo", shipped.Metadata().GetProperty("City").GetString());
        Assert.Equal(2.345, shipped.Metadata().GetProperty("Elapsed").GetDouble());
        Assert.Equal("Order {OrderId} shipped to {City} in {Elapsed:0.0} s", shipped.Metadata().GetProperty("message_template").GetString());

        var failed = events.Single(e => e.Text("level") == "ERROR");
        Assert.Equal("Payment failed for order 1234", failed.Text("message"));
        Assert.Equal(nameof(InvalidOperationException), failed.Metadata().GetProperty("exception.type").GetString());
        Assert.Equal("card declined", failed.Metadata().GetProperty("exception.message").GetString());

        Assert.Equal("Database unreachable, paid=True", events.Single(e => e.Text("level") == "FATAL").Text("message"));
        Assert.Equal("Stock low for SKU-9: 2 left", events.Single(e => e.Text("level") == "WARN").Text("message"));
    }

    private static int Rank(string level) => (int)LogMonitoring.Contracts.LogEventLevels.ParseWireName(level);
}
