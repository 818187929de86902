using LogMonitoring.Simulator;
using LogMonitoring.Simulator.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults(SimulatorMetrics.MeterName);
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapIncidentsApi();

app.Run();
