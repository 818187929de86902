using Confluent.Kafka;
using Microsoft.Extensions.Configuration;

namespace LogMonitoring.Kafka;

/// <summary>
/// Reads how to reach Kafka the way the Aspire Kafka integration would: the bootstrap servers from
/// <c>ConnectionStrings:kafka</c>, and any other librdkafka property (SASL, TLS) from <c>Kafka:Client</c>.
/// </summary>
public static class KafkaConnection
{
    public const string ConnectionStringName = "kafka";
    public const string ClientSection = "Kafka:Client";

    public static string GetBootstrapServers(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } servers
            ? servers
            : throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Run the service from the AppHost, or set ConnectionStrings__{ConnectionStringName} to Kafka's bootstrap servers.");

    /// <summary>Copies the bootstrap servers and the extra client properties into <paramref name="config"/>.</summary>
    public static T Configure<T>(T config, IConfiguration configuration)
        where T : ClientConfig
    {
        config.BootstrapServers = GetBootstrapServers(configuration);
        foreach (var setting in configuration.GetSection(ClientSection).AsEnumerable(makePathsRelative: true))
        {
            if (setting.Value is not null)
            {
                config.Set(setting.Key, setting.Value);
            }
        }

        return config;
    }
}
