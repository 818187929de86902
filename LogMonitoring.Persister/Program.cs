using LogMonitoring.Persister;
using LogMonitoring.Persister.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(PersisterMetrics.MeterName);
builder.AddPersisterServices();

var app = builder.Build();

// The persister serves no API: only its health probes and metrics.
app.UseServiceDefaults();
app.MapDefaultEndpoints();

app.Run();
