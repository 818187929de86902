using LogMonitoring.Stats;
using LogMonitoring.Stats.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(StatsMetrics.MeterName);
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapApiReference();
app.MapSearchApi();
app.MapStatsApi();

app.Run();
