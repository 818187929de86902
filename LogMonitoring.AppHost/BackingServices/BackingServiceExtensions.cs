using Aspire.Hosting.ApplicationModel;
using Confluent.Kafka;
using LogMonitoring.Kafka.Mock;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;

namespace LogMonitoring.AppHost.BackingServices;

/// <summary>The two connection strings every service needs, and what must be healthy before they start.</summary>
public sealed record BackingServices(
    BackingServiceMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Kafka,
    IResourceBuilder<IResourceWithConnectionString> LogStore,
    IReadOnlyList<IResourceBuilder<IResource>> StartFirst);

public static class BackingServiceExtensions
{
    public const string ModeKey = "LogMonitoring:Mode";
    public const string DataPathKey = "LogMonitoring:DataPath";

    // Pinned so a rebuild months from now runs what was tested.
    public const string KafkaImage = "apache/kafka";
    public const string KafkaTag = "3.9.1";
    public const string MongoImage = "mongo";
    public const string MongoTag = "8.0.15";

    public static BackingServices AddBackingServices(this IDistributedApplicationBuilder builder)
    {
        var (mode, reason) = ChooseMode(builder);
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("LogMonitoring.AppHost")
                .LogInformation("Backing services: {Mode} mode ({Reason})", mode, reason);
            return Task.CompletedTask;
        });

        return mode switch
        {
            BackingServiceMode.Containers => AddContainers(builder),
            BackingServiceMode.Embedded => AddEmbedded(builder),
            _ => AddExternal(builder),
        };
    }

    /// <summary>Services start only once the containers they use are healthy; other modes have nothing to wait for.</summary>
    public static IResourceBuilder<T> WaitForBackingServices<T>(this IResourceBuilder<T> resource, BackingServices backing)
        where T : IResourceWithWaitSupport
    {
        foreach (var dependency in backing.StartFirst)
        {
            resource.WaitFor(dependency);
        }

        return resource;
    }

    /// <summary>
    /// Tells ingest's lag gate what the embedded mock broker retains of a partition, which it cannot read from the
    /// broker, and to look every second; against a real Kafka it reads the topic's retention.bytes and
    /// segment.bytes itself.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBrokerRetention(this IResourceBuilder<ProjectResource> ingest, BackingServices backing)
    {
        if (backing.Mode == BackingServiceMode.Embedded)
        {
            foreach (var (name, value) in MockKafkaCluster.IngestLagGateSettings)
            {
                ingest.WithEnvironment(name, value);
            }
        }

        return ingest;
    }

    private static (BackingServiceMode Mode, string Reason) ChooseMode(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[ModeKey];
        if (builder.ExecutionContext.IsPublishMode)
        {
            // A published manifest describes a deployment, where Kafka and MongoDB already exist.
            return (BackingServiceMode.External, "publishing: connection strings come from the deployment");
        }

        if (!string.IsNullOrEmpty(configured) && !configured.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!Enum.TryParse<BackingServiceMode>(configured, ignoreCase: true, out var chosen) || !Enum.IsDefined(chosen))
            {
                throw new InvalidOperationException($"{ModeKey} is '{configured}'; use auto, containers, embedded or external.");
            }

            return (chosen, $"{ModeKey}={configured}");
        }

        var (engine, why) = ContainerEngine.Detect();
        return engine is not null
            ? (BackingServiceMode.Containers, $"auto: {why}")
            : (BackingServiceMode.Embedded, $"auto: no container engine answered ({why})");
    }

    private static BackingServices AddEmbedded(IDistributedApplicationBuilder builder)
    {
        // The topics the containers mode and Kubernetes have: 12 partitions of logs, so the persister group
        // can grow as it does there (librdkafka's mock would otherwise create 4 on first use).
        var cluster = new MockKafkaCluster(topics: MockKafkaCluster.PipelineTopics());
        // The cluster lives as long as the AppHost's service provider, and stops with it.
        builder.Services.AddSingleton(cluster);

        var dataPath = Path.GetFullPath(builder.Configuration[DataPathKey] ?? Path.Combine(builder.AppHostDirectory, ".data"));
        Directory.CreateDirectory(dataPath);
        var databaseFile = Path.Combine(dataPath, "logs.db");

        var kafka = builder.AddConnectionString("kafka", ReferenceExpression.Create($"{cluster.BootstrapServers}"));
        var logStore = builder.AddConnectionString("logstore", ReferenceExpression.Create($"Data Source={databaseFile}"));
        return new BackingServices(BackingServiceMode.Embedded, kafka, logStore, []);
    }

    private static BackingServices AddExternal(IDistributedApplicationBuilder builder) => new(
        BackingServiceMode.External,
        builder.AddConnectionString("kafka"),
        builder.AddConnectionString("logstore"),
        []);

    private static BackingServices AddContainers(IDistributedApplicationBuilder builder)
    {
        var kafkaResource = new KafkaServerResource("kafka");
        var kafka = builder.AddResource(kafkaResource)
            .WithImage(KafkaImage, KafkaTag)
            // Not proxied: the broker advertises localhost:9092, which clients must reach as is.
            .WithEndpoint(port: KafkaServerResource.Port, targetPort: KafkaServerResource.Port, name: KafkaServerResource.PrimaryEndpointName, isProxied: false)
            .WithEnvironment("KAFKA_NODE_ID", "1")
            .WithEnvironment("KAFKA_PROCESS_ROLES", "broker,controller")
            .WithEnvironment("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093,INTERNAL://:29092")
            .WithEnvironment("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092,INTERNAL://kafka:29092")
            .WithEnvironment("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT")
            .WithEnvironment("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL")
            .WithEnvironment("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .WithEnvironment("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
            .WithEnvironment("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .WithEnvironment("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .WithEnvironment("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            // Partitions bound how many persister replicas share the work; 12 covers the HPA maximum of 10.
            .WithEnvironment("KAFKA_NUM_PARTITIONS", "12")
            .WithEnvironment("KAFKA_LOG_DIRS", "/var/lib/kafka/data")
            .WithVolume("logmonitoring-kafka-data", "/var/lib/kafka/data")
            .WithHealthCheck(AddKafkaHealthCheck(builder, kafkaResource));

        var password = builder.AddParameter("mongo-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        var mongoResource = new MongoServerResource("mongo", password.Resource);
        var mongo = builder.AddResource(mongoResource)
            .WithImage(MongoImage, MongoTag)
            .WithEndpoint(port: 27017, targetPort: 27017, name: MongoServerResource.PrimaryEndpointName)
            .WithEnvironment("MONGO_INITDB_ROOT_USERNAME", MongoServerResource.UserName)
            .WithEnvironment("MONGO_INITDB_ROOT_PASSWORD", password)
            .WithVolume("logmonitoring-mongo-data", "/data/db")
            .WithHealthCheck(AddMongoHealthCheck(builder, mongoResource));

        return new BackingServices(
            BackingServiceMode.Containers,
            kafka.AsConnectionString(),
            mongo.AsConnectionString(),
            [kafka.AsResource(), mongo.AsResource()]);
    }

    private static string AddKafkaHealthCheck(IDistributedApplicationBuilder builder, KafkaServerResource resource)
    {
        const string name = "kafka-broker";
        builder.Services.AddHealthChecks().AddAsyncCheck(name, async cancellationToken =>
        {
            var servers = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            if (string.IsNullOrEmpty(servers))
            {
                return HealthCheckResult.Unhealthy("The broker's address is not allocated yet.");
            }

            try
            {
                using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers, SocketTimeoutMs = 3000 }).Build();
                var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(3)), cancellationToken);
                return metadata.Brokers.Count > 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("No broker in the metadata.");
            }
            catch (KafkaException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });
        return name;
    }

    private static string AddMongoHealthCheck(IDistributedApplicationBuilder builder, MongoServerResource resource)
    {
        const string name = "mongo-server";
        builder.Services.AddHealthChecks().AddAsyncCheck(name, async cancellationToken =>
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            if (string.IsNullOrEmpty(connectionString))
            {
                return HealthCheckResult.Unhealthy("MongoDB's address is not allocated yet.");
            }

            try
            {
                var settings = MongoClientSettings.FromConnectionString(connectionString);
                settings.ServerSelectionTimeout = TimeSpan.FromSeconds(3);
                using var client = new MongoClient(settings);
                await client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is MongoException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        });
        return name;
    }

    private static IResourceBuilder<IResourceWithConnectionString> AsConnectionString<T>(this IResourceBuilder<T> resource)
        where T : IResourceWithConnectionString =>
        resource.ApplicationBuilder.CreateResourceBuilder<IResourceWithConnectionString>(resource.Resource);

    private static IResourceBuilder<IResource> AsResource<T>(this IResourceBuilder<T> resource)
        where T : IResource =>
        resource.ApplicationBuilder.CreateResourceBuilder<IResource>(resource.Resource);
}
