using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// deploy.sh run for real against a recording kubectl: a first deploy into an empty namespace, a rollout
/// that fails halfway, and set-up Jobs that complete late, fail or never complete.
/// </summary>
public sealed class DeployRunTests : IDisposable
{
    private readonly RecordingKubectl _kubectl = new();
    private readonly string _record = Path.Combine(Directory.CreateTempSubdirectory("deploy-record-").FullName, "revisions");

    public void Dispose() => _kubectl.Dispose();

    [Fact]
    public void A_first_deploy_records_an_empty_namespace_applies_then_waits_for_sets_jobs_and_deployments_in_turn()
    {
        _kubectl.AnswerRevisions(new Dictionary<string, string>()).AnswerHealthyRollout();

        var result = ScriptedCluster.Deploy(_kubectl, _record);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", File.ReadAllText(_record));

        var calls = _kubectl.CallLines;
        int At(string text) => _kubectl.IndexOf(text) is var i and >= 0 ? i : throw new Xunit.Sdk.XunitException($"no call with '{text}':\n{string.Join('\n', calls)}");
        var order = new[]
        {
            "kustomize --load-restrictor LoadRestrictionsNone",
            "get deployments",
            "delete job/kafka-create-topics job/mongo-init-replica-set --ignore-not-found",
            "apply -f",
            "rollout status statefulset/kafka",
            "rollout status statefulset/mongo",
            "rollout status statefulset/prometheus",
            "get job/kafka-create-topics",
            "get job/mongo-init-replica-set",
            "rollout status deployment/ingest",
        }.Select(At).ToList();
        Assert.Equal(order.Order(), order);

        // Every workload the manifests declare is waited for, with the default timeout sized for a 10-replica surge.
        var waited = calls.Where(c => c.Contains(" rollout status ", StringComparison.Ordinal)).ToList();
        Assert.Equal(RenderedWorkloads("gke"), waited.Select(c => c.Split(' ')[4]).Order());
        Assert.All(waited, c => Assert.EndsWith("--timeout 900s", c));

        // What was applied is the overlay with the images, tag and domain it was given.
        var applied = k8s.KubernetesYaml.LoadAllFromString(Assert.Single(_kubectl.Applied), RenderedOverlay.TypeMap, strict: true);
        var ingest = applied.OfType<V1Deployment>().Single(d => d.Metadata.Name == "ingest");
        Assert.Equal("europe-west1-docker.pkg.dev/demo/logmonitoring/logmonitoring-ingest:abc1234", ingest.Spec.Template.Spec.Containers[0].Image);
        Assert.Contains(applied.OfType<V1Ingress>().Single().Spec.Rules, r => r.Host == "ingest.203.0.113.7.nip.io");
    }

    [Fact]
    public void A_rollout_that_fails_halfway_stops_the_deploy_shows_the_pods_and_names_the_rollback()
    {
        _kubectl
            .AnswerRevisions(new Dictionary<string, string> { ["deployment/ingest"] = "3", ["deployment/persister"] = "3", ["statefulset/kafka"] = "kafka-5d8f" })
            .Answer($"--namespace {ScriptedCluster.Namespace} rollout status deployment/persister *", exitCode: 1,
                error: "error: deployment \"persister\" exceeded its progress deadline\n")
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Deploy(_kubectl, _record);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("deployment/persister did not finish rolling out within 900s", result.StandardError);
        Assert.Contains($"deploy/scripts/rollback.sh --namespace log-monitoring --record {_record}", result.StandardError);
        Assert.Equal(["deployment/ingest=3", "deployment/persister=3", "statefulset/kafka=kafka-5d8f"], File.ReadAllLines(_record));

        var calls = _kubectl.CallLines;
        Assert.Contains(calls, c => c.Contains("get pods --selector app.kubernetes.io/name=persister", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Contains("get events --field-selector type=Warning", StringComparison.Ordinal));
        // Stopped at the failure: the Deployments after it were not waited for.
        Assert.DoesNotContain(calls, c => c.Contains("rollout status deployment/stats", StringComparison.Ordinal));
    }

    [Fact]
    public void A_job_still_running_is_waited_for_until_it_completes()
    {
        _kubectl
            .AnswerRevisions(new Dictionary<string, string>())
            .Answer($"--namespace {ScriptedCluster.Namespace} get job/kafka-create-topics *", "", once: true)
            .Answer($"--namespace {ScriptedCluster.Namespace} get job/kafka-create-topics *", "", once: true)
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Deploy(_kubectl, _record);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, _kubectl.CallLines.Count(c => c.Contains("get job/kafka-create-topics", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_job_that_never_completes_fails_the_deploy_with_its_logs_before_any_deployment_is_waited_for()
    {
        _kubectl
            .AnswerRevisions(new Dictionary<string, string>())
            .Answer($"--namespace {ScriptedCluster.Namespace} get job/mongo-init-replica-set *", "")
            .Answer($"--namespace {ScriptedCluster.Namespace} logs job/mongo-init-replica-set *", "MongoServerSelectionError: connect ECONNREFUSED\n")
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Deploy(_kubectl, _record, "--job-timeout", "1s");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("job/mongo-init-replica-set did not complete within 1s", result.StandardError);
        Assert.Contains("MongoServerSelectionError", result.StandardError);
        Assert.DoesNotContain(_kubectl.CallLines, c => c.Contains("rollout status deployment/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_job_that_gave_up_fails_the_deploy_without_waiting_for_the_deadline()
    {
        _kubectl
            .AnswerRevisions(new Dictionary<string, string>())
            .Answer($"--namespace {ScriptedCluster.Namespace} get job/kafka-create-topics *", "Failed ")
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Deploy(_kubectl, _record, "--job-timeout", "1h");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("job/kafka-create-topics failed", result.StandardError);
        Assert.Equal(1, _kubectl.CallLines.Count(c => c.Contains("get job/kafka-create-topics", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_cluster_that_cannot_be_read_stops_the_deploy_before_anything_is_applied()
    {
        _kubectl.Answer($"--namespace {ScriptedCluster.Namespace} get deployments *", exitCode: 1, error: "Unable to connect to the server: dial tcp: i/o timeout\n");

        var result = ScriptedCluster.Deploy(_kubectl, _record);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("nothing was applied", result.StandardError);
        Assert.Empty(_kubectl.Applied);
        Assert.False(File.Exists(_record), "no record: a rollback after this run has nothing to undo");
    }

    internal static IEnumerable<string> RenderedWorkloads(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        return rendered.All<V1StatefulSet>().Select(s => $"statefulset/{s.Metadata.Name}")
            .Concat(rendered.All<V1Deployment>().Select(d => $"deployment/{d.Metadata.Name}"))
            .Order();
    }
}
