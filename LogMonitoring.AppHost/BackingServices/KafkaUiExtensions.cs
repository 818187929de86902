namespace LogMonitoring.AppHost.BackingServices;

/// <summary>
/// Kafka UI (kafbat/kafka-ui, the maintained successor of provectus' kafka-ui) on http://localhost:8088 in
/// containers mode: topics, partitions, messages and consumer groups with their lag. The embedded mock
/// cluster cannot serve it (it lacks the admin APIs the UI uses).
/// </summary>
public static class KafkaUiExtensions
{
    public const string Registry = "ghcr.io";
    public const string Image = "kafbat/kafka-ui";
    public const string Tag = "v1.5.0";
    public const int Port = 8088;

    public static void AddKafkaUi(this IDistributedApplicationBuilder builder, BackingServices backing)
    {
        if (backing.Mode != BackingServiceMode.Containers)
        {
            return;
        }

        builder.AddContainer("kafka-ui", Image, Tag)
            .WithImageRegistry(Registry)
            .WithEnvironment("KAFKA_CLUSTERS_0_NAME", "logmonitoring")
            // The broker's listener for other containers (KAFKA_ADVERTISED_LISTENERS' INTERNAL).
            .WithEnvironment("KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS", "kafka:29092")
            .WithHttpEndpoint(port: Port, targetPort: 8080, name: "http")
            .WithHttpHealthCheck("/actuator/health")
            .WaitFor(backing.Kafka);
    }
}
