using Aspire.Hosting.ApplicationModel;

namespace LogMonitoring.AppHost.BackingServices;

/// <summary>A MongoDB container whose connection string carries its credentials and database.</summary>
public sealed class MongoServerResource(string name, ParameterResource password) : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string UserName = "logmonitoring";
    internal const string DatabaseName = "logmonitoring";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"mongodb://{UserName}:{Password}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}/{DatabaseName}?authSource=admin");
}
