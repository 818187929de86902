using LogMonitoring.Ingest;
using LogMonitoring.Ingest.Apis;
using LogMonitoring.Ingest.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(IngestMetrics.MeterName);
builder.AddIngestServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapIngestApiReference();
app.MapIngestApi();

app.Run();

/// <summary>Lets integration tests start this service with WebApplicationFactory-style hosts.</summary>
public partial class Program;
