using LogMonitoring.Contracts;
using LogMonitoring.Kafka;
using LogMonitoring.Persister;
using LogMonitoring.Persister.Kafka;
using LogMonitoring.Storage;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PersisterOptions>().BindConfiguration(PersisterOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LogLimits>().BindConfiguration(LogLimits.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();

        // Room to write and commit the batch in hand after SIGTERM (see PersisterOptions.ShutdownWriteTimeout).
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(45));

        builder.AddLogStore();
        builder.Services.AddSingleton(sp => new LogEventReader(sp.GetRequiredService<IOptions<LogLimits>>().Value));
        builder.Services.AddSingleton<PersisterMetrics>();
        builder.Services.AddSingleton<DeadLetterProducer>();
        builder.Services.AddSingleton<StoreWriteHealth>();
        builder.Services.AddHostedService<LogBatchConsumer>();

        builder.Services.AddHealthChecks()
            .AddKafka(builder.Configuration[$"{PersisterOptions.SectionName}:Topic"] ?? LogTopics.Logs)
            .AddCheck<StoreWriteHealth>("store-writes");
        return builder;
    }
}
