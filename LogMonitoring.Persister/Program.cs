using LogMonitoring.Persister;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(PersisterMetrics.MeterName);
builder.AddApplicationServices();

var app = builder.Build();

// The persister serves no API: only its health probes and metrics.
app.MapDefaultEndpoints();

app.Run();
