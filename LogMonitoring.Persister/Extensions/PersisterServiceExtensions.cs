using LogMonitoring.Contracts;
using LogMonitoring.Kafka;
using LogMonitoring.Persister;
using LogMonitoring.Persister.Batches;
using LogMonitoring.Persister.Kafka;
using LogMonitoring.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Persister.Extensions;

/// <summary>The persister's wiring: options, the contract, the log store, the consumer and its dead-letter producer.</summary>
public static class PersisterServiceExtensions
{
    public static IHostApplicationBuilder AddPersisterServices(this IHostApplicationBuilder builder)
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
        builder.Services.AddSingleton<IDeadLetterSink, DeadLetterProducer>();
        builder.Services.AddSingleton<StoreWriteHealth>();
        builder.Services.AddSingleton<LogBatchWriter>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConsumerProgress>();
        builder.Services.AddSingleton<IdleBacklogLook>();
        builder.Services.AddHostedService<LogBatchConsumer>();

        builder.Services.AddHealthChecks()
            .AddKafka(builder.Configuration[$"{PersisterOptions.SectionName}:Topic"] ?? LogTopics.Logs)
            .AddCheck<StoreWriteHealth>("store-writes")
            // Live, not only ready: a member stuck holding partitions keeps them from the others until it restarts.
            .AddCheck<ConsumerProgress>("consumer-progress", tags: [ServiceDefaultsExtensions.LiveTag]);
        return builder;
    }
}
