using Aspire.Hosting.ApplicationModel;

namespace LogMonitoring.AppHost.BackingServices;

/// <summary>A Kafka broker container whose connection string is its bootstrap address.</summary>
public sealed class KafkaServerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const int Port = 9092;

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
