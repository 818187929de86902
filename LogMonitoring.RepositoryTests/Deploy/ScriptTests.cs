using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The deploy and GKE scripts: valid bash, strict mode, a --help, and a --dry-run that prints the
/// kubectl and gcloud calls a real run makes. They run from a copy of deploy/ (see DeployWorkspace).
/// </summary>
public class ScriptTests
{
    private static readonly Dictionary<string, string> s_gkeSettings = new() { ["GKE_CONFIG"] = DeployWorkspace.PathOf("deploy", "gke", "gke.env.example"), ["TAG"] = "abc1234" };

    public static TheoryData<string> Scripts() => new(
        Directory.EnumerateFiles(RepositoryRoot.PathOf("deploy"), "*.sh", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(RepositoryRoot.Path, p).Replace('\\', '/'))
            .Order());

    public static TheoryData<string> RunnableScripts() => new(Scripts().Select(s => (string)s.Data).Where(s => Path.GetFileName(s) != "lib.sh"));

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses(string script)
    {
        var result = CommandLine.Run("bash", ["-n", script]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Theory]
    [MemberData(nameof(RunnableScripts))]
    public void Script_is_executable_strict_and_explains_itself(string script)
    {
        var path = RepositoryRoot.PathOf(script);
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{script} is executable");
        }

        var lines = File.ReadAllLines(path);
        // A script that runs inside an image without bash (Alertmanager's busybox) is POSIX sh, strict as sh allows.
        if (lines[0] == "#!/bin/sh")
        {
            Assert.True(lines.Contains("set -eu"), $"{script} runs under set -eu");
        }
        else
        {
            Assert.Equal("#!/usr/bin/env bash", lines[0]);
            // A reporting script may drop -e on purpose, when it says that it never fails the job it runs in.
            var reportsOnly = lines.Any(l => l.Contains("never fails", StringComparison.Ordinal)) && lines.Contains("set -uo pipefail");
            Assert.True(lines.Contains("set -euo pipefail") || reportsOnly, $"{script} runs under set -euo pipefail");
        }

        var help = RunScript(script, ["--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.StartsWith("Usage:", help.StandardOutput.TrimStart().Split('\n')[0].TrimStart('['), StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_dry_run_renders_with_the_images_then_applies_and_waits_for_every_workload()
    {
        var result = RunScript("deploy/scripts/deploy.sh", ["--overlay", "gke", "--registry", "europe-west1-docker.pkg.dev/demo/logmonitoring", "--tag", "abc1234", "--domain", "203.0.113.7.nip.io", "--dry-run"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n');

        foreach (var service in new[] { "ingest", "persister", "stats" })
        {
            Assert.Contains($"#   - {{ name: logmonitoring-{service}, newName: europe-west1-docker.pkg.dev/demo/logmonitoring/logmonitoring-{service}, newTag: \"abc1234\" }}", lines);
        }

        var render = Array.FindIndex(lines, l => l.StartsWith("+ kubectl kustomize --load-restrictor LoadRestrictionsNone ", StringComparison.Ordinal));
        var apply = Array.FindIndex(lines, l => l.StartsWith("+ kubectl apply -f ", StringComparison.Ordinal));
        Assert.InRange(render, 0, apply - 1);
        Assert.Contains(lines, l => l.StartsWith("+ sed ", StringComparison.Ordinal) && l.Contains("203.0.113.7.nip.io"));
        var waits = lines.Where(l => l.StartsWith("+ kubectl --namespace log-monitoring rollout status ", StringComparison.Ordinal)).Select(l => l.Split(' ')[6]);
        Assert.Equal(RenderedWorkloads("gke"), waits.Order());
        Assert.All(lines.Where(l => l.StartsWith("+ kubectl", StringComparison.Ordinal)), l => Assert.True(Array.IndexOf(lines, l) > render - 1));
    }

    [Theory]
    [InlineData("local", "local", "logmonitoring-{0}:dev")]
    [InlineData("gke", "europe-west1-docker.pkg.dev/demo/logmonitoring", "europe-west1-docker.pkg.dev/demo/logmonitoring/logmonitoring-{0}:dev")]
    public void Deploy_renders_the_overlay_with_the_registry_tag_and_domain_it_was_given(string overlay, string registry, string imageFormat)
    {
        var output = Path.Combine(DeployWorkspace.Root, $"rendered-{overlay}.yaml");
        var result = RunScript("deploy/scripts/deploy.sh", ["--overlay", overlay, "--registry", registry, "--tag", "dev", "--domain", "203.0.113.7.nip.io", "--output", output]);
        Assert.True(result.ExitCode == 0, result.ToString());

        var objects = k8s.KubernetesYaml.LoadAllFromString(File.ReadAllText(output), RenderedOverlay.TypeMap, strict: true);
        foreach (var service in new[] { "ingest", "persister", "stats", "explorer" })
        {
            var deployment = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == service);
            Assert.Equal(string.Format(imageFormat, service), Assert.Single(deployment.Spec.Template.Spec.Containers).Image);
        }

        Assert.DoesNotContain("logmonitoring.example.com", File.ReadAllText(output));
        if (overlay == "gke")
        {
            Assert.Equal(
                ["explorer.203.0.113.7.nip.io", "grafana.203.0.113.7.nip.io", "ingest.203.0.113.7.nip.io", "stats.203.0.113.7.nip.io"],
                objects.OfType<V1Ingress>().Single().Spec.Rules.Select(r => r.Host).Order());
        }
    }

    [Theory]
    [InlineData(new[] { "--registry", "r", "--tag", "t" }, "--overlay is required")]
    [InlineData(new[] { "--overlay", "nowhere", "--registry", "r", "--tag", "t" }, "no overlay named 'nowhere'")]
    [InlineData(new[] { "--overlay", "gke", "--registry", "r", "--tag", "t" }, "needs --domain")]
    [InlineData(new[] { "--overlay", "local", "--registry", "r", "--tag", "t", "--domain", "a;b" }, "is not a DNS name")]
    [InlineData(new[] { "--overlay", "local", "--registry" }, "--registry needs a value")]
    public void Deploy_refuses_incomplete_or_wrong_arguments_with_a_clear_message(string[] arguments, string message)
    {
        var result = RunScript("deploy/scripts/deploy.sh", arguments, new Dictionary<string, string> { ["LOGMON_DOMAIN"] = "" });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.StandardError);
    }

    [Fact]
    public void Rollback_dry_run_only_reads_the_cluster()
    {
        var result = RunScript("deploy/scripts/rollback.sh", ["--dry-run"]);
        Assert.True(result.ExitCode == 0, result.ToString());

        var commands = result.StandardOutput.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, commands.Count);
        Assert.All(commands, c => Assert.StartsWith("+ kubectl --namespace log-monitoring get ", c));
    }

    [Fact]
    public void Verify_dry_run_checks_every_rollout_and_each_services_health_through_the_api_server()
    {
        var result = RunScript("deploy/scripts/verify.sh", ["--namespace", "staging", "--dry-run"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n');

        var waited = lines.Where(l => l.StartsWith("+ kubectl --namespace staging rollout status ", StringComparison.Ordinal)).Select(l => l.Split(' ')[6]);
        Assert.Equal(RenderedWorkloads("gke"), waited.Order());

        // Each Service's health path is the readiness path of the pods behind it.
        var rendered = RenderedOverlay.Load("gke");
        foreach (var service in new[] { "ingest", "persister", "stats", "grafana", "prometheus" })
        {
            var port = rendered.Single<V1Service>(service).Spec.Ports.Single();
            var pods = rendered.PodTemplates().Single(t => WorkloadInvariantTests.Selects(new V1LabelSelector { MatchLabels = rendered.Single<V1Service>(service).Spec.Selector }, t.Template.Metadata.Labels));
            var path = pods.Template.Spec.Containers[0].ReadinessProbe.HttpGet.Path;
            Assert.Contains($"+ kubectl get --raw /api/v1/namespaces/staging/services/http:{service}:{port.Name}/proxy{path}", lines);
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("gke")]
    public void The_scripts_wait_for_exactly_the_workloads_the_manifests_declare(string overlay)
    {
        var listed = CommandLine.Run("bash", ["-c", "source deploy/scripts/lib.sh && printf '%s\\n' \"${LOGMON_WORKLOADS[@]}\""]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(RenderedWorkloads(overlay), listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("gke")]
    public void The_deploy_waits_for_exactly_the_jobs_the_manifests_declare(string overlay)
    {
        var listed = CommandLine.Run("bash", ["-c", "source deploy/scripts/lib.sh && printf '%s\\n' \"${LOGMON_JOBS[@]}\""]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var jobs = RenderedOverlay.Load(overlay).All<V1Job>().Select(j => $"job/{j.Metadata.Name}").Order();
        Assert.Equal(jobs, listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public void Gke_dry_run_goes_from_an_empty_project_to_a_verified_deployment()
    {
        var result = RunScript("deploy/gke/up.sh", ["--dry-run"], s_gkeSettings);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToList();

        string[] expected =
        [
            "gcloud --project=my-project --quiet services enable container.googleapis.com",
            "gcloud --project=my-project --quiet iam service-accounts create logmonitoring-nodes",
            "projects add-iam-policy-binding my-project --member=serviceAccount:logmonitoring-nodes@my-project.iam.gserviceaccount.com --role=roles/artifactregistry.reader",
            "artifacts repositories create logmonitoring --repository-format=docker --location=europe-west1",
            "container clusters create logmonitoring --zone=europe-west1-b",
            "container node-pools create spot-pool --cluster=logmonitoring --zone=europe-west1-b --spot",
            "container clusters get-credentials logmonitoring --zone=europe-west1-b",
            "compute addresses create logmonitoring-ip --global",
            "-t:PublishContainer -p:ContainerRegistry=europe-west1-docker.pkg.dev -p:ContainerRepositoryPrefix=my-project/logmonitoring/ -p:ContainerImageTag=abc1234",
            "kubectl apply -f ",
            "kubectl --namespace log-monitoring rollout status deployment/ingest",
            "kubectl get --raw /api/v1/namespaces/log-monitoring/services/http:ingest:http/proxy/health",
            "curl --fail --silent --show-error --max-time 10 http://ingest.STATIC-IP.nip.io/health",
            "gcloud billing budgets create --billing-account=000000-000000-000000",
        ];
        var position = -1;
        foreach (var call in expected)
        {
            var next = lines.FindIndex(position + 1, l => l.Contains(call, StringComparison.Ordinal));
            Assert.True(next > position, $"expected, after line {position}: {call}\n{string.Join('\n', lines)}");
            position = next;
        }

        Assert.Equal(4, lines.Count(l => l.Contains(" -t:PublishContainer ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Ci_identities_admit_only_main_and_bind_each_identity_to_its_own_job()
    {
        var result = RunScript("deploy/gke/ci-identities.sh", ["--environment", "staging", "--dry-run"], s_gkeSettings);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToList();

        // Tokens of any other repository or branch are refused by the provider itself.
        Assert.Contains(lines, l => l.Contains("providers create-oidc github-actions", StringComparison.Ordinal)
            && l.Contains(@"--attribute-condition=assertion.repository\ ==\ \'my-org/LogMonitoring\'\ \&\&\ assertion.ref\ ==\ \'refs/heads/main\'", StringComparison.Ordinal));
        // The publisher writes to the image repository only, from a job of main outside any environment.
        Assert.Contains(lines, l => l.Contains("artifacts repositories add-iam-policy-binding logmonitoring --location=europe-west1 --member=serviceAccount:logmonitoring-publisher@my-project.iam.gserviceaccount.com --role=roles/artifactregistry.writer", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("service-accounts add-iam-policy-binding logmonitoring-publisher@", StringComparison.Ordinal)
            && l.EndsWith("/subject/repo:my-org/LogMonitoring:ref:refs/heads/main --format=none", StringComparison.Ordinal));
        // The environment's deployer: only that environment's jobs, and no project-wide Kubernetes rights.
        Assert.Contains(lines, l => l.Contains("service-accounts add-iam-policy-binding logmonitoring-deploy-staging@", StringComparison.Ordinal)
            && l.EndsWith("/subject/repo:my-org/LogMonitoring:environment:staging --format=none", StringComparison.Ordinal));
        var projectRoles = lines.Where(l => l.Contains("projects add-iam-policy-binding", StringComparison.Ordinal) && l.Contains("logmonitoring-deploy-staging", StringComparison.Ordinal));
        Assert.Equal(["roles/container.clusterViewer"], projectRoles.Select(l => l.Split("--role=")[1].Split(' ')[0]));
        Assert.DoesNotContain(lines, l => l.Contains("roles/container.developer", StringComparison.Ordinal) || l.Contains("roles/container.admin", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("+ kubectl apply -f ", StringComparison.Ordinal));
    }

    [Fact]
    public void Ci_identities_bind_the_environments_identity_to_the_deployer_role_of_its_namespace()
    {
        var output = Path.Combine(DeployWorkspace.Root, "rbac-production.yaml");
        var result = RunScript("deploy/gke/ci-identities.sh", ["--environment", "production", "--namespace", "logs-prod", "--rbac-output", output], s_gkeSettings);
        Assert.True(result.ExitCode == 0, result.ToString());

        var objects = k8s.KubernetesYaml.LoadAllFromString(File.ReadAllText(output), RenderedOverlay.TypeMap, strict: true);
        var user = "logmonitoring-deploy-production@my-project.iam.gserviceaccount.com";
        var binding = objects.OfType<V1RoleBinding>().Single();
        Assert.Equal("logs-prod", binding.Metadata.NamespaceProperty);
        Assert.Contains(binding.Subjects, s => s.Kind == "User" && s.Name == user);
        Assert.Contains(objects.OfType<V1ClusterRoleBinding>().Single(b => b.Metadata.Name == "logmonitoring-deployer-logs-prod").Subjects, s => s.Kind == "User" && s.Name == user);
        Assert.Equal(["logs-prod"], objects.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "logmonitoring-deployer-logs-prod").Rules.Single().ResourceNames);
        // Prometheus' read of the kubelets' volume statistics is its own, for its own namespace's account only.
        var kubelet = objects.OfType<V1ClusterRoleBinding>().Single(b => b.Metadata.Name == "prometheus-kubelet-logs-prod");
        Assert.Equal([("ServiceAccount", "prometheus", "logs-prod")], kubelet.Subjects.Select(s => (s.Kind, s.Name, s.NamespaceProperty)));
        Assert.Equal("logs-prod", objects.OfType<V1Namespace>().Single().Metadata.Name);
    }

    [Fact]
    public void Gke_steps_check_before_they_create_so_a_rerun_changes_nothing()
    {
        var result = RunScript("deploy/gke/up.sh", ["--dry-run"], s_gkeSettings);
        var lines = result.StandardOutput.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToList();

        var creates = lines.Select((line, index) => (line, index)).Where(x => x.line.Contains(" create ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(creates);
        Assert.All(creates, create =>
        {
            var check = lines[create.index - 1];
            Assert.True(check.EndsWith("# exists?", StringComparison.Ordinal) || check.Contains(" list ", StringComparison.Ordinal), $"'{create.line}' follows '{check}'");
        });
    }

    [Fact]
    public void Gke_cleanup_deletes_the_namespace_before_the_cluster_then_the_ip_images_and_stray_disks()
    {
        var result = RunScript("deploy/gke/cleanup.sh", ["--dry-run"], s_gkeSettings);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n').ToList();

        int Index(string call) => lines.FindIndex(l => l.Contains(call, StringComparison.Ordinal));
        Assert.InRange(Index("kubectl delete namespace log-monitoring"), 0, Index("container clusters delete logmonitoring") - 1);
        Assert.True(Index("compute addresses delete logmonitoring-ip --global") > 0);
        Assert.True(Index("artifacts repositories delete logmonitoring") > 0);
        Assert.True(Index("compute disks list") > 0);
    }

    [Fact]
    public void Gke_scripts_refuse_to_run_without_settings()
    {
        var result = RunScript("deploy/gke/01-enable-apis.sh", ["--dry-run"], new Dictionary<string, string> { ["GKE_CONFIG"] = Path.Combine(DeployWorkspace.Root, "missing.env") });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("gke.env.example", result.StandardError);
    }

    private static CommandResult RunScript(string script, string[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        CommandLine.Run("bash", [DeployWorkspace.PathOf(script.Split('/')), .. arguments], DeployWorkspace.Root, environment);

    private static IEnumerable<string> RenderedWorkloads(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        return rendered.All<V1StatefulSet>().Select(s => $"statefulset/{s.Metadata.Name}")
            .Concat(rendered.All<V1Deployment>().Select(d => $"deployment/{d.Metadata.Name}"))
            .Order();
    }
}
