using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The Kubernetes manifests are written by hand (Aspirate, which would generate them, is not available),
/// so they are held to the AppHost's own resource graph: same services, same connection strings, same settings.
/// </summary>
public class AppHostManifestTests
{
    /// <summary>Set by the orchestrator for its own plumbing; Kubernetes has its own equivalent.</summary>
    private static readonly HashSet<string> s_orchestratorOnly = ["HTTP_PORTS", "HTTPS_PORTS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"];

    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_appHost_service_is_a_deployment_and_every_service_deployment_is_in_the_appHost(string overlay)
    {
        var manifest = RequireAppHost();
        var rendered = RenderedOverlay.Load(overlay);

        var serviceDeployments = rendered.All<V1Deployment>()
            .Where(d => d.Spec.Template.Spec.Containers.Any(c => c.Image.Split(':')[0].Split('/')[^1].StartsWith("logmonitoring-", StringComparison.Ordinal)))
            .Select(d => d.Metadata.Name);
        Assert.Equal(manifest.Projects.Keys.Order(), serviceDeployments.Order());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_service_gets_the_connection_strings_the_appHost_gives_it_and_no_others(string overlay)
    {
        var manifest = RequireAppHost();
        Assert.Equal(["kafka", "logstore"], manifest.ConnectionStrings.Order());

        foreach (var (service, project) in manifest.Projects)
        {
            var expected = AppHostManifest.EnvironmentOf(project).Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).Order();
            var actual = ServiceSettingsTests.EnvironmentOf(overlay, service).Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).Order();
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_service_gets_the_appHosts_fixed_settings_with_the_same_values(string overlay)
    {
        var manifest = RequireAppHost();
        var problems = new List<string>();
        foreach (var (service, project) in manifest.Projects)
        {
            var deployed = ServiceSettingsTests.EnvironmentOf(overlay, service);
            foreach (var (name, value) in AppHostManifest.EnvironmentOf(project))
            {
                // Values in braces are references the orchestrator fills in (ports, connection strings).
                if (s_orchestratorOnly.Contains(name) || value.Contains('{'))
                {
                    continue;
                }

                if (!deployed.TryGetValue(name, out var actual) || actual != value)
                {
                    problems.Add($"{service}: {name} is '{value}' in the AppHost but '{actual ?? "(unset)"}' in the {overlay} overlay");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Each_http_endpoint_of_the_appHost_is_a_service_port_on_the_port_the_service_listens_on(string overlay)
    {
        var manifest = RequireAppHost();
        var rendered = RenderedOverlay.Load(overlay);
        foreach (var (service, project) in manifest.Projects)
        {
            Assert.True(project.GetProperty("bindings").TryGetProperty("http", out _), $"{service} has an http binding in the AppHost");
            // The AppHost sets HTTP_PORTS from that binding; the Deployment sets ASPNETCORE_HTTP_PORTS to the declared container port.
            Assert.Contains("HTTP_PORTS", AppHostManifest.EnvironmentOf(project).Keys);
            var port = Assert.Single(rendered.Single<V1Service>(service).Spec.Ports, p => p.Name == "http");
            var container = Assert.Single(rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers);
            var containerPort = Assert.Single(container.Ports, p => p.Name == port.TargetPort.Value);
            Assert.Equal(containerPort.ContainerPort.ToString(), ServiceSettingsTests.EnvironmentOf(overlay, service)["ASPNETCORE_HTTP_PORTS"]);
        }
    }

    private static AppHostManifest RequireAppHost()
    {
        if (!File.Exists(AppHostManifest.ProjectPath))
        {
            Assert.Skip("LogMonitoring.AppHost is not in the repository, so there is no resource graph to compare with.");
        }

        return AppHostManifest.Published;
    }
}
