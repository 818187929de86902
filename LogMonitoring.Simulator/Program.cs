using LogMonitoring.Simulator;
using LogMonitoring.Simulator.Apis;
using LogMonitoring.Simulator.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(SimulatorMetrics.MeterName);
builder.AddSimulatorServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapIncidentsApi();

app.Run();
