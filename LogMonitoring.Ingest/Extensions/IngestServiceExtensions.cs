using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Formats.Clef;
using LogMonitoring.Ingest.Formats.Elastic;
using LogMonitoring.Ingest.Formats.Gelf;
using LogMonitoring.Ingest.Formats.Loki;
using LogMonitoring.Ingest.Formats.Native;
using LogMonitoring.Ingest.Formats.Otlp;
using LogMonitoring.Ingest.Kafka;
using LogMonitoring.Ingest.Pipeline;
using LogMonitoring.Kafka;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace LogMonitoring.Ingest.Extensions;

/// <summary>The ingest service's wiring: options, the contract, the Kafka producer, the pipeline and its formats.</summary>
public static class IngestServiceExtensions
{
    public static IHostApplicationBuilder AddIngestServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.TopicRetentionBytes is null == o.TopicSegmentBytes is null,
                $"Set {IngestOptions.SectionName}:{nameof(IngestOptions.TopicRetentionBytes)} and {nameof(IngestOptions.TopicSegmentBytes)} together, or neither (then they are read from the broker).")
            .ValidateOnStart();
        builder.Services.AddOptions<LogLimits>().BindConfiguration(LogLimits.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();

        builder.AddApiSecurity();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new LogEventReader(new LogEventReaderOptions
        {
            Limits = sp.GetRequiredService<IOptions<LogLimits>>().Value,
            Clock = sp.GetRequiredService<TimeProvider>(),
        }));
        builder.Services.AddSingleton<LogBatchParser>();
        builder.Services.AddSingleton<IngestMetrics>();
        builder.Services.AddSingleton<LogEventProducer>();
        builder.Services.AddSingleton<ProducedVolume>();
        builder.Services.AddSingleton(sp => new RetentionHeadroom(
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.MaxLagShareOfRetained, sp.GetRequiredService<ProducedVolume>()));
        builder.Services.AddHostedService<ConsumerLagMonitor>();
        builder.Services.AddSingleton<IngestPipeline>();
        builder.AddIngestFormats();

        builder.Services.AddHealthChecks().AddKafka(builder.Configuration[$"{IngestOptions.SectionName}:Topic"] ?? LogTopics.Logs);

        // Ingest reads bodies itself, up to LogLimits.MaxBodyBytes; Kestrel's 30 MB default must not be lower.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>($"{LogLimits.SectionName}:MaxBodyBytes") ?? new LogLimits().MaxBodyBytes);

        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>Every format ingest speaks; each maps its own endpoints and ingests through <see cref="IngestPipeline"/>.</summary>
    private static void AddIngestFormats(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IIngestFormat, NativeApi>();
        builder.Services.AddSingleton<IIngestFormat, ClefApi>();
        builder.Services.AddSingleton<IIngestFormat, OtlpApi>();
        builder.Services.AddSingleton<IIngestFormat, LokiApi>();
        builder.Services.AddSingleton<IIngestFormat, ElasticBulkApi>();
        builder.Services.AddSingleton<IIngestFormat, GelfApi>();
    }

    /// <summary>The OpenAPI document at /openapi/v1.json and the interactive reference at /scalar.</summary>
    public static WebApplication MapIngestApiReference(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("LogMonitoring Ingest API"));
        return app;
    }
}
