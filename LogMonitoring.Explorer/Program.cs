using LogMonitoring.Explorer.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddExplorerServices();

var app = builder.Build();

app.UseServiceDefaults(ExplorerExtensions.ContentSecurityPolicy);
app.MapDefaultEndpoints();
app.MapExplorer();

app.Run();
