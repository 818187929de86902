namespace LogMonitoring.AppHost;

/// <summary>The API key the AppHost gives the services, so local development works out of the box.</summary>
public static class ApiKeys
{
    /// <summary>Documented in the README; only ever the default of the <c>api-key</c> parameter.</summary>
    public const string DevelopmentKey = "logmon-dev-key";

    /// <summary>One key named "default" with every scope (Kubernetes sets the same, from its Secret).</summary>
    public static IResourceBuilder<ProjectResource> WithApiKey(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ParameterResource> key) =>
        project
            .WithEnvironment("ApiKeys__Keys__0__Name", "default")
            .WithEnvironment("ApiKeys__Keys__0__Key", key)
            .WithEnvironment("ApiKeys__Keys__0__Scopes__0", "logs:write")
            .WithEnvironment("ApiKeys__Keys__0__Scopes__1", "logs:read")
            .WithEnvironment("ApiKeys__Keys__0__Scopes__2", "metrics:read");
}
