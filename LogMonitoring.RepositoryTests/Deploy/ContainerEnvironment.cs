using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>The environment a container starts with: its envFrom ConfigMaps and Secrets, then its env entries.</summary>
internal static class ContainerEnvironment
{
    /// <summary>A value that comes from a Secret or the downward API, unknown until the pod runs.</summary>
    public const string FromReference = "<reference>";

    public static IReadOnlyDictionary<string, string> Of(RenderedOverlay overlay, V1Container container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } configMapRef)
            {
                foreach (var (key, value) in overlay.Single<V1ConfigMap>(configMapRef.Name).Data ?? new Dictionary<string, string>())
                {
                    environment[(source.Prefix ?? "") + key] = value;
                }
            }

            if (source.SecretRef is { } secretRef)
            {
                foreach (var key in overlay.Single<V1Secret>(secretRef.Name).Data?.Keys ?? [])
                {
                    environment[(source.Prefix ?? "") + key] = FromReference;
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable.ValueFrom is null ? variable.Value ?? "" : FromReference;
        }

        return environment;
    }

    /// <summary>The environment as .NET configuration sees it: A__B becomes A:B.</summary>
    public static Dictionary<string, string?> AsConfiguration(IReadOnlyDictionary<string, string> environment) =>
        environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
}
