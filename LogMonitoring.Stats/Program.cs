using LogMonitoring.Stats;
using LogMonitoring.Stats.Apis;
using LogMonitoring.Stats.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(StatsMetrics.MeterName);
builder.AddStatsServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapStatsApiReference();
app.MapSearchApi();
app.MapStatsApi();

app.Run();
