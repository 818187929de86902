using System.Text.Json.Nodes;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// docker-compose.yml runs what the AppHost runs: Compose accepts it, its LogMonitoring services are the
/// AppHost's published projects with the same connection strings and settings, and its backing containers
/// are the AppHost's containers-mode containers with the same images and settings.
/// </summary>
public class ComposeFileTests
{
    /// <summary>Set by the orchestrator for its own plumbing; Compose sets ASPNETCORE_HTTP_PORTS instead.</summary>
    private static readonly HashSet<string> s_orchestratorOnly = ["HTTP_PORTS", "HTTPS_PORTS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool IsServiceImage(string image) => image.Split(':')[0].Split('/')[^1].StartsWith("logmonitoring-", StringComparison.Ordinal);

    [Fact]
    public void Compose_accepts_the_file_and_names_each_variable_it_needs()
    {
        var valid = ComposeFile.Config(ComposeFile.Variables);
        var withoutKey = ComposeFile.Config(ComposeFile.Variables.Where(v => v.Key != "LOGMON_API_KEY").ToDictionary());

        Assert.True(valid.ExitCode == 0, valid.ToString());
        Assert.NotEqual(0, withoutKey.ExitCode);
        Assert.Contains("LOGMON_API_KEY", withoutKey.StandardError);
    }

    [Fact]
    public void The_services_are_the_appHosts_projects_with_their_replicas()
    {
        var manifest = AppHostManifest.Published;
        var compose = ComposeFile.Resolved;

        var services = compose.Services.Where(s => IsServiceImage(ComposeFile.ImageOf(s.Value!.AsObject()))).ToList();
        Assert.Equal(manifest.Projects.Keys.Order(), services.Select(s => s.Key).Order());
        Assert.All(services, s => Assert.Equal($"logmonitoring-{s.Key}", ComposeFile.ImageOf(s.Value!.AsObject()).Split(':')[0].Split('/')[^1]));
    }

    [Fact]
    public async Task Each_service_runs_as_many_replicas_as_in_the_appHost()
    {
        var model = await AppHostContainers.LoadAsync(Ct);
        foreach (var (name, replicas) in model.ProjectReplicas.Where(p => AppHostManifest.Published.Projects.ContainsKey(p.Key)))
        {
            var declared = ComposeFile.Resolved.Service(name)["deploy"]?["replicas"]?.GetValue<string>();
            Assert.True(replicas == int.Parse(declared ?? "1", System.Globalization.CultureInfo.InvariantCulture), $"{name}: {replicas} in the AppHost, {declared ?? "1"} in docker-compose.yml");
        }
    }

    [Fact]
    public void Each_service_gets_the_appHosts_connection_strings_and_fixed_settings()
    {
        var problems = new List<string>();
        foreach (var (name, project) in AppHostManifest.Published.Projects)
        {
            var composed = ComposeFile.EnvironmentOf(ComposeFile.Resolved.Service(name));
            var expected = AppHostManifest.EnvironmentOf(project);
            var wantedConnections = expected.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).Order().ToList();
            var givenConnections = composed.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).Order().ToList();
            if (!wantedConnections.SequenceEqual(givenConnections))
            {
                problems.Add($"{name}: connection strings {string.Join(", ", givenConnections)}; the AppHost gives {string.Join(", ", wantedConnections)}");
            }

            foreach (var (variable, value) in expected)
            {
                // Values in braces are references the orchestrator fills in (ports, connection strings, the key).
                if (s_orchestratorOnly.Contains(variable) || value.Contains('{'))
                {
                    if (!value.Contains('{') || variable.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || s_orchestratorOnly.Contains(variable) || composed.ContainsKey(variable))
                    {
                        continue;
                    }

                    problems.Add($"{name}: {variable} is set by the AppHost but not in docker-compose.yml");
                    continue;
                }

                if (!composed.TryGetValue(variable, out var actual) || actual != value)
                {
                    problems.Add($"{name}: {variable} is '{value}' in the AppHost but '{actual ?? "(unset)"}' in docker-compose.yml");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task The_backing_containers_are_the_appHosts_with_the_same_images_and_settings()
    {
        var model = await AppHostContainers.LoadAsync(Ct);
        var compose = ComposeFile.Resolved;
        var problems = new List<string>();
        foreach (var (name, container) in model.Containers)
        {
            if (!compose.Services.ContainsKey(name))
            {
                problems.Add($"{name}: an AppHost container missing from docker-compose.yml");
                continue;
            }

            var service = compose.Service(name);
            if (ComposeFile.ImageOf(service) != container.Image)
            {
                problems.Add($"{name}: image {ComposeFile.ImageOf(service)}, the AppHost runs {container.Image}");
            }

            var composed = ComposeFile.EnvironmentOf(service);
            foreach (var (variable, value) in container.Environment)
            {
                if (!composed.TryGetValue(variable, out var actual) || actual != value)
                {
                    problems.Add($"{name}: {variable} is '{value}' in the AppHost but '{actual ?? "(unset)"}' in docker-compose.yml");
                }
            }
        }

        var extra = compose.Services
            .Where(s => !IsServiceImage(ComposeFile.ImageOf(s.Value!.AsObject())) && !model.Containers.ContainsKey(s.Key))
            .Select(s => s.Key);
        problems.AddRange(extra.Select(s => $"{s}: in docker-compose.yml but not an AppHost container"));
        Assert.Empty(problems);
    }

    [Fact]
    public void Prometheus_in_compose_scrapes_every_replica_under_the_jobs_the_rules_use()
    {
        var compose = YamlDocument.Load(RepositoryRoot.PathOf("deploy", "compose", "prometheus.yml"))!;
        var appHost = YamlDocument.Load(RepositoryRoot.PathOf("deploy", "prometheus", "prometheus.yml"))!;
        static IEnumerable<string> Jobs(JsonNode config) => config["scrape_configs"]!.AsArray().Select(j => j!["job_name"]!.GetValue<string>());

        Assert.Equal(Jobs(appHost).Order(), Jobs(compose).Order());
        foreach (var job in compose["scrape_configs"]!.AsArray())
        {
            // Compose's DNS answers a service name with every replica's address.
            var names = job!["dns_sd_configs"]![0]!["names"]!.AsArray().Select(n => n!.GetValue<string>());
            Assert.Equal([job["job_name"]!.GetValue<string>()], names);
            Assert.True(ComposeFile.Resolved.Services.ContainsKey(job["job_name"]!.GetValue<string>()));
        }
    }
}
