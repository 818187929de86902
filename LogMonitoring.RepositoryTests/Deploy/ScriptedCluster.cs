namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>Answers a recording kubectl gives, shaped like a namespace's state, and running the scripts against it.</summary>
internal static class ScriptedCluster
{
    public const string Namespace = "log-monitoring";

    /// <summary>
    /// What <c>kubectl get deployments|statefulsets</c> with the scripts' jsonpath prints for these
    /// workloads ("deployment/ingest" → "3", "statefulset/kafka" → "kafka-6b7c9d"); once, or from now on.
    /// </summary>
    public static RecordingKubectl AnswerRevisions(this RecordingKubectl kubectl, IReadOnlyDictionary<string, string> revisions, bool once = false)
    {
        string Lines(string kind) => string.Concat(revisions.Where(r => r.Key.StartsWith(kind + "/", StringComparison.Ordinal)).Select(r => $"{r.Key}={r.Value}\n"));
        kubectl.Answer($"--namespace {Namespace} get deployments *", Lines("deployment"), once: once);
        kubectl.Answer($"--namespace {Namespace} get statefulsets *", Lines("statefulset"), once: once);
        return kubectl;
    }

    /// <summary>Applying works, every rollout finishes and every Job completes.</summary>
    public static RecordingKubectl AnswerHealthyRollout(this RecordingKubectl kubectl) => kubectl
        .Answer($"--namespace {Namespace} delete job/*", "job.batch \"kafka-create-topics\" deleted\n")
        .Answer("apply -f *", "deployment.apps/ingest configured\n")
        .Answer($"--namespace {Namespace} rollout status *", "successfully rolled out\n")
        .Answer($"--namespace {Namespace} rollout undo *", "rolled back\n")
        .Answer($"--namespace {Namespace} get job/*", "Complete ")
        .Answer($"--namespace {Namespace} get pods *", "NAME READY STATUS\n")
        .Answer($"--namespace {Namespace} get events *", "LAST SEEN TYPE REASON\n")
        .Answer($"--namespace {Namespace} logs *", "");

    public static CommandResult Deploy(RecordingKubectl kubectl, string record, params string[] more) =>
        Run("deploy/scripts/deploy.sh", kubectl,
            ["--overlay", "gke", "--registry", "europe-west1-docker.pkg.dev/demo/logmonitoring", "--tag", "abc1234", "--domain", "203.0.113.7.nip.io", "--record", record, .. more]);

    public static CommandResult Rollback(RecordingKubectl kubectl, string record, params string[] more) =>
        Run("deploy/scripts/rollback.sh", kubectl, ["--record", record, .. more]);

    public static CommandResult Run(string script, RecordingKubectl kubectl, string[] arguments)
    {
        var environment = new Dictionary<string, string>(kubectl.Environment)
        {
            // Jobs are polled without pausing between reads: the stand-in answers at once.
            ["LOGMON_POLL_SECONDS"] = "0.05",
        };
        return CommandLine.Run("bash", [DeployWorkspace.PathOf(script.Split('/')), .. arguments], DeployWorkspace.Root, environment);
    }
}
