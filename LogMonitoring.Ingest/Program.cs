using LogMonitoring.Ingest;
using LogMonitoring.Ingest.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(IngestMetrics.MeterName);
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapApiReference();
app.MapLogsApi();
app.MapShipperApis();

app.Run();

/// <summary>Lets integration tests start this service with WebApplicationFactory-style hosts.</summary>
public partial class Program;
