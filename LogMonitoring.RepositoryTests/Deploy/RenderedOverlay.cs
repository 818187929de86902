using System.Collections.Concurrent;
using System.Reflection;
using k8s;
using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// An overlay rendered by <c>kubectl kustomize</c> (as deploy.sh does) and loaded into the Kubernetes
/// client's typed models in strict mode: an unknown or misspelt field fails the load.
/// </summary>
internal sealed class RenderedOverlay
{
    public static readonly string[] Names = ["local", "gke"];

    /// <summary>An overlay with optional components of deploy/k8s/components ("overlay+component"), as deploy.sh --component renders it.</summary>
    public static readonly string[] WithComponents = ["gke+keda-persister"];

    private static readonly ConcurrentDictionary<string, Lazy<RenderedOverlay>> s_cache = new();

    private RenderedOverlay(string name, string yaml, IReadOnlyList<object> objects)
    {
        Name = name;
        Yaml = yaml;
        Objects = objects;
    }

    public string Name { get; }

    public string Yaml { get; }

    public IReadOnlyList<object> Objects { get; }

    /// <summary>Every built-in kind the client knows, plus GKE's BackendConfig and ManagedCertificate.</summary>
    public static IDictionary<string, Type> TypeMap { get; } = BuildTypeMap();

    public static RenderedOverlay Load(string name) =>
        s_cache.GetOrAdd(name, n => new Lazy<RenderedOverlay>(() => Render(n, n.Contains('+') ? WithComponentsFolder(n) : DeployWorkspace.PathOf("deploy", "k8s", "overlays", n)))).Value;

    /// <summary>Any kustomization under deploy/k8s, e.g. "deployer".</summary>
    public static RenderedOverlay LoadKustomization(string folder) =>
        s_cache.GetOrAdd($"k8s/{folder}", _ => new Lazy<RenderedOverlay>(() => Render(folder, DeployWorkspace.PathOf(["deploy", "k8s", .. folder.Split('/')])))).Value;

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
            ?? throw new InvalidOperationException($"The {Name} overlay has no {typeof(T).Name} named {name}.");

    /// <summary>The pod templates of every workload, by "Kind/name".</summary>
    public IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates() =>
        All<V1Deployment>().Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => ($"StatefulSet/{s.Metadata.Name}", s.Spec.Template)))
            .Concat(All<V1Job>().Select(j => ($"Job/{j.Metadata.Name}", j.Spec.Template)));

    private static RenderedOverlay Render(string name, string folder)
    {
        var result = CommandLine.Run("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", folder]);
        if (result.ExitCode != 0)
        {
            var hint = result.StandardError.Contains("/grafana/", StringComparison.Ordinal) || result.StandardError.Contains("/deploy/prometheus/", StringComparison.Ordinal)
                ? "\nThe monitoring ConfigMaps are generated from deploy/prometheus/ and grafana/; a file listed in deploy/k8s/base/monitoring/kustomization.yaml is missing."
                : "";
            throw new InvalidOperationException($"kubectl kustomize of the {name} overlay failed:{hint}\n{result}");
        }

        var objects = KubernetesYaml.LoadAllFromString(result.StandardOutput, TypeMap, strict: true);
        return new RenderedOverlay(name, result.StandardOutput, objects);
    }

    /// <summary>A kustomization of the overlay plus the components and the namespace, beside the workspace's deploy folder, as deploy.sh writes it.</summary>
    private static string WithComponentsFolder(string name)
    {
        var parts = name.Split('+');
        var folder = Directory.CreateDirectory(DeployWorkspace.PathOf("rendered", name)).FullName;
        string Relative(params string[] path) => Path.GetRelativePath(folder, DeployWorkspace.PathOf(["deploy", "k8s", .. path]));
        File.WriteAllLines(Path.Combine(folder, "kustomization.yaml"),
        [
            "apiVersion: kustomize.config.k8s.io/v1beta1",
            "kind: Kustomization",
            "namespace: log-monitoring",
            "resources:",
            $"  - {Relative("overlays", parts[0])}",
            "components:",
            .. parts.Skip(1).Select(c => $"  - {Relative("components", c)}"),
        ]);
        return folder;
    }

    private static Dictionary<string, Type> BuildTypeMap()
    {
        var map = new Dictionary<string, Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind: { Length: > 0 } kind } entity)
            {
                var key = string.IsNullOrEmpty(entity.Group) ? $"{entity.ApiVersion}/{kind}" : $"{entity.Group}/{entity.ApiVersion}/{kind}";
                map.TryAdd(key, type);
            }
        }

        map[BackendConfig.TypeKey] = typeof(BackendConfig);
        map[ManagedCertificate.TypeKey] = typeof(ManagedCertificate);
        map[FrontendConfig.TypeKey] = typeof(FrontendConfig);
        map[ScaledObject.TypeKey] = typeof(ScaledObject);
        return map;
    }
}
