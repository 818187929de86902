using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>The GKE overlay: load balancer on a static IP with a managed certificate, health checks on /health, Spot VMs, GKE disks.</summary>
public class GkeOverlayTests
{
    private readonly RenderedOverlay _gke = RenderedOverlay.Load("gke");

    [Fact]
    public void The_ingress_is_a_gke_load_balancer_on_the_reserved_ip_with_the_managed_certificate()
    {
        var ingress = Assert.Single(_gke.All<V1Ingress>());
        var annotations = ingress.Metadata.Annotations;

        Assert.Equal("gce", annotations["kubernetes.io/ingress.class"]);
        Assert.Equal(StaticIpNameInGkeSettings(), annotations["kubernetes.io/ingress.global-static-ip-name"]);
        var certificate = _gke.Single<ManagedCertificate>(annotations["networking.gke.io/managed-certificates"]);
        Assert.Equal(ingress.Spec.Rules.Select(r => r.Host).Order(), certificate.Spec.Domains.Order());
    }

    [Fact]
    public void Every_ingress_backend_is_a_service_port_with_a_health_check_on_the_pods_readiness_path()
    {
        var ingress = Assert.Single(_gke.All<V1Ingress>());
        var backends = ingress.Spec.Rules.SelectMany(r => r.Http.Paths).Select(p => p.Backend.Service).ToList();
        Assert.Equal(["explorer", "grafana", "ingest", "stats"], backends.Select(b => b.Name).Order());

        Assert.All(backends, backend =>
        {
            var service = _gke.Single<V1Service>(backend.Name);
            var port = Assert.Single(service.Spec.Ports, p => p.Name == backend.Port.Name);
            Assert.Equal("{\"ingress\": true}", service.Metadata.Annotations["cloud.google.com/neg"]);

            var configName = System.Text.Json.JsonDocument.Parse(service.Metadata.Annotations["cloud.google.com/backend-config"]).RootElement.GetProperty("default").GetString()!;
            var healthCheck = _gke.Single<BackendConfig>(configName).Spec.HealthCheck!;

            // Container-native load balancing checks the pod's port directly, so it must be the container's.
            var container = Assert.Single(_gke.Single<V1Deployment>(backend.Name).Spec.Template.Spec.Containers);
            var containerPort = Assert.Single(container.Ports, p => p.Name == port.TargetPort.Value);
            Assert.Equal(containerPort.ContainerPort, healthCheck.Port);
            Assert.Equal(container.ReadinessProbe.HttpGet.Path, healthCheck.RequestPath);
            Assert.Equal("HTTP", healthCheck.Type);
        });
    }

    [Fact]
    public void Ingest_and_stats_are_told_apart_by_host_because_both_serve_api_logs()
    {
        var hosts = Assert.Single(_gke.All<V1Ingress>()).Spec.Rules.ToDictionary(r => r.Host, r => Assert.Single(r.Http.Paths).Backend.Service.Name);
        Assert.Equal("ingest", hosts["ingest.logmonitoring.example.com"]);
        Assert.Equal("stats", hosts["stats.logmonitoring.example.com"]);
    }

    [Fact]
    public void Stateless_pods_prefer_spot_nodes_and_stateful_pods_stay_off_them()
    {
        Assert.All(_gke.All<V1Deployment>(), deployment =>
        {
            var spec = deployment.Spec.Template.Spec;
            Assert.Contains(spec.Tolerations, t => t.Key == "cloud.google.com/gke-spot" && t.Effect == "NoSchedule");
            var preferred = Assert.Single(spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            Assert.Contains(preferred.Preference.MatchExpressions, e => e.Key == "cloud.google.com/gke-spot" && e.Values.SequenceEqual(["true"]));
        });
        Assert.All(_gke.All<V1StatefulSet>(), set =>
            Assert.DoesNotContain(set.Spec.Template.Spec.Tolerations ?? [], t => t.Key == "cloud.google.com/gke-spot"));
        // The Spot pool the cluster script creates carries the taint the tolerations name.
        Assert.Contains("--node-taints=cloud.google.com/gke-spot=true:NoSchedule", File.ReadAllText(RepositoryRoot.PathOf("deploy", "gke", "04-cluster.sh")));
    }

    [Fact]
    public void Volumes_use_a_gke_storage_class()
    {
        Assert.All(
            _gke.All<V1StatefulSet>().SelectMany(s => s.Spec.VolumeClaimTemplates),
            claim => Assert.Contains(claim.Spec.StorageClassName, new[] { "standard-rwo", "premium-rwo" }));
    }

    [Fact]
    public void The_local_overlay_has_nothing_gke_specific()
    {
        var local = RenderedOverlay.Load("local");
        Assert.Empty(local.All<V1Ingress>());
        Assert.Empty(local.All<BackendConfig>());
        Assert.DoesNotContain("cloud.google.com", local.Yaml);
    }

    private static string StaticIpNameInGkeSettings() =>
        File.ReadAllLines(RepositoryRoot.PathOf("deploy", "gke", "gke.env.example"))
            .Single(l => l.StartsWith("STATIC_IP_NAME=", StringComparison.Ordinal))["STATIC_IP_NAME=".Length..];
}
