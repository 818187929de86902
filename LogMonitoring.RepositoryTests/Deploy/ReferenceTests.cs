using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>Every name one object uses to find another resolves to an object that is rendered.</summary>
public class ReferenceTests
{
    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_select_pods_and_target_ports_those_pods_declare(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var problems = new List<string>();
        foreach (var service in rendered.All<V1Service>())
        {
            var pods = rendered.PodTemplates()
                .Where(t => WorkloadInvariantTests.Selects(new V1LabelSelector { MatchLabels = service.Spec.Selector }, t.Template.Metadata.Labels))
                .ToList();
            if (pods.Count == 0)
            {
                problems.Add($"Service {service.Metadata.Name} selects no pods");
                continue;
            }

            var ports = pods.SelectMany(p => p.Template.Spec.Containers).SelectMany(c => c.Ports ?? []).ToList();
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString();
                if (!ports.Any(p => p.Name == target || p.ContainerPort.ToString() == target))
                {
                    problems.Add($"Service {service.Metadata.Name} port {port.Name} targets {target}, which its pods do not declare");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_config_map_and_secret_a_pod_uses_exists_with_the_keys_it_reads(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var configMaps = rendered.All<V1ConfigMap>().ToDictionary(c => c.Metadata.Name, c => (c.Data ?? new Dictionary<string, string>()).Keys.ToHashSet());
        var secrets = rendered.All<V1Secret>().ToDictionary(s => s.Metadata.Name, s => (s.Data ?? new Dictionary<string, byte[]>()).Keys.ToHashSet());
        var problems = new List<string>();

        void Check(string workload, string kind, Dictionary<string, HashSet<string>> known, string name, string? key)
        {
            if (!known.TryGetValue(name, out var keys))
            {
                problems.Add($"{workload} uses {kind} {name}, which is not rendered");
            }
            else if (key is not null && !keys.Contains(key))
            {
                problems.Add($"{workload} reads key {key} of {kind} {name}, which has none");
            }
        }

        var example = File.ReadAllText(RepositoryRoot.PathOf("deploy", "k8s", "base", "secrets.env.example"));
        void CheckOptional(string workload, string name, string key)
        {
            Check(workload, "Secret", secrets, name, null);
            if (!example.Contains($"# {key}=", StringComparison.Ordinal) && !example.Contains($"\n{key}=", StringComparison.Ordinal))
            {
                problems.Add($"{workload} reads optional key {key} of Secret {name}, which secrets.env.example does not mention");
            }
        }

        foreach (var (workload, template) in rendered.PodTemplates())
        {
            foreach (var container in (template.Spec.InitContainers ?? []).Concat(template.Spec.Containers))
            {
                foreach (var source in container.EnvFrom ?? [])
                {
                    if (source.ConfigMapRef is { } c) Check(workload, "ConfigMap", configMaps, c.Name, null);
                    if (source.SecretRef is { } s) Check(workload, "Secret", secrets, s.Name, null);
                }

                foreach (var variable in container.Env ?? [])
                {
                    if (variable.ValueFrom?.ConfigMapKeyRef is { } c) Check(workload, "ConfigMap", configMaps, c.Name, c.Key);
                    // An optional key (the alert receivers' addresses) may be absent; secrets.env.example names it.
                    if (variable.ValueFrom?.SecretKeyRef is { Optional: true } optional) CheckOptional(workload, optional.Name, optional.Key);
                    else if (variable.ValueFrom?.SecretKeyRef is { } s) Check(workload, "Secret", secrets, s.Name, s.Key);
                }
            }

            foreach (var volume in template.Spec.Volumes ?? [])
            {
                if (volume.ConfigMap is { } c)
                {
                    Check(workload, "ConfigMap", configMaps, c.Name, null);
                    foreach (var item in c.Items ?? []) Check(workload, "ConfigMap", configMaps, c.Name, item.Key);
                }

                if (volume.Secret is { } s)
                {
                    Check(workload, "Secret", secrets, s.SecretName, null);
                    foreach (var item in s.Items ?? []) Check(workload, "Secret", secrets, s.SecretName, item.Key);
                }
            }

            var claims = rendered.All<V1StatefulSet>().Where(s => ReferenceEquals(s.Spec.Template, template))
                .SelectMany(s => s.Spec.VolumeClaimTemplates ?? []).Select(v => v.Metadata.Name);
            var declared = (template.Spec.Volumes ?? []).Select(v => v.Name).Concat(claims).ToHashSet();
            foreach (var mount in template.Spec.Containers.Concat(template.Spec.InitContainers ?? []).SelectMany(c => c.VolumeMounts ?? []))
            {
                if (!declared.Contains(mount.Name))
                {
                    problems.Add($"{workload} mounts volume {mount.Name}, which it does not declare");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void The_secret_holds_exactly_the_keys_of_the_committed_example()
    {
        var example = File.ReadAllLines(RepositoryRoot.PathOf("deploy", "k8s", "base", "secrets.env.example"))
            .Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#'))
            .Select(l => l[..l.IndexOf('=')])
            .Order();
        var secret = Assert.Single(RenderedOverlay.Load("local").All<V1Secret>());
        Assert.StartsWith("logmonitoring-secrets-", secret.Metadata.Name);
        Assert.Equal(example, secret.Data.Keys.Order());
    }

    [Fact]
    public void The_real_secrets_file_is_never_committed()
    {
        var ignored = CommandLine.Run("git", ["check-ignore", "--quiet", "deploy/k8s/base/secrets.env"]);
        Assert.True(ignored.ExitCode == 0, $"deploy/k8s/base/secrets.env must be git-ignored\n{ignored}");
        var gkeSettings = CommandLine.Run("git", ["check-ignore", "--quiet", "deploy/gke/gke.env"]);
        Assert.True(gkeSettings.ExitCode == 0, $"deploy/gke/gke.env must be git-ignored\n{gkeSettings}");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Autoscalers_budgets_and_role_bindings_point_at_rendered_objects(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);

        Assert.All(rendered.All<V2HorizontalPodAutoscaler>(), h => rendered.Single<V1Deployment>(h.Spec.ScaleTargetRef.Name));
        Assert.All(rendered.All<V1PodDisruptionBudget>(), b =>
            Assert.Contains(rendered.PodTemplates(), t => WorkloadInvariantTests.Selects(b.Spec.Selector, t.Template.Metadata.Labels)));
        Assert.All(rendered.All<V1RoleBinding>(), b =>
        {
            rendered.Single<V1Role>(b.RoleRef.Name);
            Assert.All(b.Subjects, s => rendered.Single<V1ServiceAccount>(s.Name));
        });
        Assert.All(
            rendered.PodTemplates().Select(t => t.Template.Spec.ServiceAccountName).OfType<string>(),
            account => rendered.Single<V1ServiceAccount>(account));
        Assert.All(rendered.All<V1StatefulSet>(), s => rendered.Single<V1Service>(s.Spec.ServiceName));
    }
}
