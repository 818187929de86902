using LogMonitoring.Contracts;
using LogMonitoring.Ingest;
using LogMonitoring.Ingest.Kafka;
using LogMonitoring.Kafka;
using Microsoft.Extensions.Options;
using LogMonitoring.ServiceDefaults.Security;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LogLimits>().BindConfiguration(LogLimits.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();

        builder.AddApiSecurity();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new LogEventReader(sp.GetRequiredService<IOptions<LogLimits>>().Value));
        builder.Services.AddSingleton<LogBatchParser>();
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<LogEventProducer>();

        builder.Services.AddHealthChecks().AddKafka(builder.Configuration[$"{IngestOptions.SectionName}:Topic"] ?? LogTopics.Logs);

        // Ingest reads bodies itself, up to LogLimits.MaxBodyBytes; Kestrel's 30 MB default must not be lower.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>($"{LogLimits.SectionName}:MaxBodyBytes") ?? new LogLimits().MaxBodyBytes);

        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json and the interactive reference at /scalar.</summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("LogMonitoring Ingest API"));

        // Connect the producer's queue depth to its gauge now that both exist.
        var producer = app.Services.GetRequiredService<LogEventProducer>();
        app.Services.GetRequiredService<IngestMetrics>().InFlight = () => producer.InFlight;
        return app;
    }
}
