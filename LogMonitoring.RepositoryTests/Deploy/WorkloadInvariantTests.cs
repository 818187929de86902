using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>What every workload must have to scale, roll out without losing a request, and run locked down.</summary>
public class WorkloadInvariantTests
{
    /// <summary>
    /// How long each Deployment's process may take to drain after SIGTERM: the host's shutdown timeout
    /// (ASP.NET Core's default 30 s; the persister sets 45 s in its Extensions.cs) or Grafana's few seconds.
    /// </summary>
    private static readonly Dictionary<string, int> s_drainSeconds = new()
    {
        ["ingest"] = 30,
        ["persister"] = 45,
        ["stats"] = 30,
        ["explorer"] = 30,
        ["grafana"] = 10,
        ["alertmanager"] = 10,
    };

    private static readonly string[] s_services = ["ingest", "persister", "stats", "explorer"];

    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_probe_health_for_readiness_and_alive_for_liveness(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        foreach (var service in s_services)
        {
            var container = Assert.Single(rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers);
            Assert.Equal("/health", container.ReadinessProbe?.HttpGet?.Path);
            Assert.Equal("/alive", container.LivenessProbe?.HttpGet?.Path);
            Assert.NotNull(container.StartupProbe?.HttpGet);
            Assert.All(
                new[] { container.ReadinessProbe!, container.LivenessProbe!, container.StartupProbe! },
                probe => Assert.Equal("http", probe.HttpGet.Port.Value));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_deployment_has_all_three_probes(string overlay)
    {
        var missing = RenderedOverlay.Load(overlay).All<V1Deployment>()
            .SelectMany(d => d.Spec.Template.Spec.Containers.Select(c => (d.Metadata.Name, c)))
            .Where(x => x.c.ReadinessProbe is null || x.c.LivenessProbe is null || x.c.StartupProbe is null)
            .Select(x => $"{x.Name}/{x.c.Name}");
        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_requests_cpu_and_memory_and_limits_memory(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var missing = rendered.PodTemplates()
            .SelectMany(t => (t.Template.Spec.InitContainers ?? []).Concat(t.Template.Spec.Containers).Select(c => (t.Workload, c)))
            .Where(x => x.c.Resources?.Requests is not { } requests || !requests.ContainsKey("cpu") || !requests.ContainsKey("memory")
                || x.c.Resources.Limits is not { } limits || !limits.ContainsKey("memory")
                || limits["memory"].ToDecimal() < requests["memory"].ToDecimal())
            .Select(x => $"{x.Workload}/{x.c.Name}");
        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_pod_runs_as_non_root_without_privileges(string overlay)
    {
        var problems = new List<string>();
        foreach (var (workload, template) in RenderedOverlay.Load(overlay).PodTemplates())
        {
            var pod = template.Spec.SecurityContext;
            if (pod?.RunAsNonRoot != true || pod.RunAsUser is null or 0)
            {
                problems.Add($"{workload}: runAsNonRoot with a non-zero runAsUser");
            }

            if (pod?.SeccompProfile?.Type != "RuntimeDefault")
            {
                problems.Add($"{workload}: seccomp RuntimeDefault");
            }

            foreach (var container in (template.Spec.InitContainers ?? []).Concat(template.Spec.Containers))
            {
                var context = container.SecurityContext;
                if (context?.AllowPrivilegeEscalation != false)
                {
                    problems.Add($"{workload}/{container.Name}: allowPrivilegeEscalation false");
                }

                if (context?.Capabilities?.Drop is not { } dropped || !dropped.Contains("ALL"))
                {
                    problems.Add($"{workload}/{container.Name}: drop ALL capabilities");
                }

                if (workload.StartsWith("Deployment/", StringComparison.Ordinal) && context?.ReadOnlyRootFilesystem != true)
                {
                    problems.Add($"{workload}/{container.Name}: read-only root filesystem");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployments_roll_out_one_new_pod_at_a_time_without_losing_capacity(string overlay)
    {
        Assert.All(RenderedOverlay.Load(overlay).All<V1Deployment>(), deployment =>
        {
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        });
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployments_wait_for_the_load_balancer_then_get_longer_than_their_drain(string overlay)
    {
        Assert.All(RenderedOverlay.Load(overlay).All<V1Deployment>(), deployment =>
        {
            var name = deployment.Metadata.Name;
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            var pause = container.Lifecycle?.PreStop?.Sleep?.Seconds;
            Assert.True(pause > 0, $"{name} pauses before SIGTERM so endpoints drop it first");
            Assert.True(
                deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > pause + s_drainSeconds[name],
                $"{name}: terminationGracePeriodSeconds must exceed the preStop pause ({pause} s) plus the drain ({s_drainSeconds[name]} s)");
        });
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_persister_can_write_its_last_batch_before_it_is_killed(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var persister = rendered.Single<V1Deployment>("persister");
        var settings = ContainerEnvironment.Of(rendered, Assert.Single(persister.Spec.Template.Spec.Containers));

        var shutdownWrite = TimeSpan.Parse(settings["Persister__ShutdownWriteTimeout"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(TimeSpan.FromSeconds(s_drainSeconds["persister"]) > shutdownWrite, "the write timeout fits in the host's shutdown timeout");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_workload_has_a_disruption_budget_and_spreads_across_nodes(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var budgets = rendered.All<V1PodDisruptionBudget>().ToList();
        var workloads = rendered.PodTemplates().Where(t => !t.Workload.StartsWith("Job/", StringComparison.Ordinal)).ToList();

        Assert.All(workloads, w =>
        {
            var labels = w.Template.Metadata.Labels;
            Assert.Contains(budgets, b => Selects(b.Spec.Selector, labels));
        });
        Assert.All(workloads.Where(w => w.Workload.StartsWith("Deployment/", StringComparison.Ordinal) || w.Workload == "StatefulSet/kafka"), w =>
            Assert.Contains(w.Template.Spec.TopologySpreadConstraints ?? [], c => c.TopologyKey == "kubernetes.io/hostname"));
        // A budget that allows no disruption would block node upgrades for good.
        Assert.All(budgets, b => Assert.Equal("1", b.Spec.MaxUnavailable?.Value));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Ingest_and_persister_scale_on_cpu_between_two_and_ten(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        foreach (var service in new[] { "ingest", "persister" })
        {
            var hpa = rendered.Single<V2HorizontalPodAutoscaler>(service);
            Assert.Equal(("apps/v1", "Deployment", service), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
            Assert.Equal(2, hpa.Spec.MinReplicas);
            Assert.Equal(10, hpa.Spec.MaxReplicas);
            var cpu = Assert.Single(hpa.Spec.Metrics);
            Assert.Equal(("Resource", "cpu", "Utilization", 70), (cpu.Type, cpu.Resource.Name, cpu.Resource.Target.Type, cpu.Resource.Target.AverageUtilization));

            var deployment = rendered.Single<V1Deployment>(service);
            // Utilization is measured against the request: without one the HPA has nothing to divide by.
            Assert.True(Assert.Single(deployment.Spec.Template.Spec.Containers).Resources.Requests.ContainsKey("cpu"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Kafka_has_a_partition_for_every_persister_the_autoscaler_may_start(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var maxPersisters = rendered.Single<V2HorizontalPodAutoscaler>("persister").Spec.MaxReplicas;

        var partitions = int.Parse(OverlayRenderTests.KafkaSettings(rendered)["KAFKA_NUM_PARTITIONS"]);
        Assert.True(partitions >= maxPersisters, $"{partitions} partitions for up to {maxPersisters} persisters");
        // The topic Job creates the topics with that count instead of relying on auto-creation.
        var job = Assert.Single(rendered.Single<V1Job>("kafka-create-topics").Spec.Template.Spec.Containers);
        Assert.Contains("--partitions \"$KAFKA_NUM_PARTITIONS\"", string.Join(' ', job.Command));
        Assert.Contains(job.EnvFrom, e => e.ConfigMapRef?.Name == rendered.Single<V1StatefulSet>("kafka").Spec.Template.Spec.Containers[0].EnvFrom[0].ConfigMapRef.Name);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Stateful_sets_keep_their_data_on_persistent_volumes(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        Assert.All(rendered.All<V1StatefulSet>(), set =>
        {
            var claim = Assert.Single(set.Spec.VolumeClaimTemplates);
            Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes);
            Assert.Contains(set.Spec.Template.Spec.Containers[0].VolumeMounts, m => m.Name == claim.Metadata.Name);
        });
    }

    [Fact]
    public void Mongo_runs_as_replica_set_rs0_that_the_init_job_initiates()
    {
        var rendered = RenderedOverlay.Load("gke");
        var mongo = Assert.Single(rendered.Single<V1StatefulSet>("mongo").Spec.Template.Spec.Containers);
        Assert.Equal("rs0", mongo.Args[mongo.Args.IndexOf("--replSet") + 1]);
        Assert.Contains("--keyFile", mongo.Args);

        var init = string.Join(' ', Assert.Single(rendered.Single<V1Job>("mongo-init-replica-set").Spec.Template.Spec.Containers).Command);
        Assert.Contains("_id: \"rs0\"", init);
        Assert.Contains("mongo-0.mongo:27017", init);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Service_images_are_the_repositories_the_sdk_builds(string overlay)
    {
        var targets = System.Xml.Linq.XDocument.Load(RepositoryRoot.PathOf("Directory.Build.targets"));
        var repositories = targets.Descendants("ContainerRepository").Select(e => e.Value.Replace("$(ContainerRepositoryPrefix)", "", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(["logmonitoring-explorer", "logmonitoring-ingest", "logmonitoring-persister", "logmonitoring-stats"], repositories);

        var rendered = RenderedOverlay.Load(overlay);
        foreach (var service in s_services)
        {
            var image = Assert.Single(rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers).Image;
            Assert.Equal($"logmonitoring-{service}", image.Split(':')[0].Split('/')[^1]);
        }

        // The images' user, so runAsUser matches what the SDK puts in them.
        var user = targets.Descendants("ContainerUser").Single().Value;
        Assert.All(s_services, s => Assert.Equal(long.Parse(user), rendered.Single<V1Deployment>(s).Spec.Template.Spec.SecurityContext.RunAsUser));
    }

    internal static bool Selects(V1LabelSelector selector, IDictionary<string, string>? labels) =>
        selector.MatchLabels is { Count: > 0 } wanted && labels is not null
        && wanted.All(w => labels.TryGetValue(w.Key, out var value) && value == w.Value);
}
