using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The AppHost's resource graph in containers mode, built but never started: each container's image and
/// the environment values it sets as plain text (values that reference other resources, such as
/// generated passwords and allocated ports, are left out: Compose has its own way of filling them).
/// </summary>
internal sealed class AppHostContainers
{
    private static readonly Lazy<Task<AppHostContainers>> s_model = new(LoadAsync);

    private AppHostContainers(IReadOnlyDictionary<string, ContainerSettings> containers, IReadOnlyDictionary<string, int> replicas)
    {
        Containers = containers;
        ProjectReplicas = replicas;
    }

    public sealed record ContainerSettings(string Image, IReadOnlyDictionary<string, string> Environment);

    public IReadOnlyDictionary<string, ContainerSettings> Containers { get; }

    public IReadOnlyDictionary<string, int> ProjectReplicas { get; }

    public static Task<AppHostContainers> LoadAsync(CancellationToken cancellationToken) => s_model.Value.WaitAsync(cancellationToken);

    private static async Task<AppHostContainers> LoadAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogMonitoring_AppHost>(
            ["--LogMonitoring:Mode=containers", "--LogMonitoring:Prometheus=true"]);
        var containers = new Dictionary<string, ContainerSettings>();
        foreach (var resource in builder.Resources.Where(r => r.Annotations.OfType<ContainerImageAnnotation>().Any()))
        {
            var image = resource.Annotations.OfType<ContainerImageAnnotation>().Last();
            var values = new Dictionary<string, object>();
            var context = new EnvironmentCallbackContext(builder.ExecutionContext, resource, values);
            foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
            {
                await callback.Callback(context);
            }

            var name = image.Registry is { Length: > 0 } registry ? $"{registry}/{image.Image}" : image.Image;
            containers[resource.Name] = new ContainerSettings(
                $"{name}:{image.Tag}",
                values.Where(v => v.Value is string).ToDictionary(v => v.Key, v => (string)v.Value));
        }

        var replicas = builder.Resources.OfType<ProjectResource>().ToDictionary(
            p => p.Name, p => p.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1);
        return new AppHostContainers(containers, replicas);
    }
}
