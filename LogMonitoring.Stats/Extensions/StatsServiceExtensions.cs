using LogMonitoring.Stats;
using LogMonitoring.Stats.Rollups;
using LogMonitoring.Storage;
using LogMonitoring.ServiceDefaults.Security;
using Scalar.AspNetCore;

namespace LogMonitoring.Stats.Extensions;

/// <summary>The stats service's wiring: options, the log store, the rollup, retention, text index and text backfill workers, OpenAPI.</summary>
public static class StatsServiceExtensions
{
    public static IHostApplicationBuilder AddStatsServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiSecurity();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<StatsOptions>().BindConfiguration(StatsOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<StatsMetrics>();
        builder.AddLogStore();
        builder.Services.AddSingleton<LogMonitoring.Stats.Apis.TailRegistry>();
        builder.Services.AddSingleton<RollupScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RollupScheduler>());
        builder.Services.AddHostedService<RetentionWorker>();
        builder.Services.AddHostedService<TextBackfillWorker>();
        builder.Services.AddHostedService<TextIndexWorker>();
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json and the interactive reference at /scalar.</summary>
    public static WebApplication MapStatsApiReference(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("LogMonitoring Stats API"));
        return app;
    }
}
