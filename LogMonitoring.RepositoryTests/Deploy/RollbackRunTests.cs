namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// rollback.sh run for real against a recording kubectl: it returns exactly what a deploy changed to the
/// recorded revisions, leaves a workload with one revision (or a new one) alone, and keeps going past a
/// per-workload error.
/// </summary>
public sealed class RollbackRunTests : IDisposable
{
    private readonly RecordingKubectl _kubectl = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("rollback-").FullName;

    private string Record => Path.Combine(_folder, "revisions");

    private string Results => Path.Combine(_folder, "results");

    public void Dispose() => _kubectl.Dispose();

    [Fact]
    public void After_a_first_deploy_nothing_has_an_earlier_revision_so_nothing_is_undone()
    {
        File.WriteAllText(Record, "");
        _kubectl.AnswerRevisions(new Dictionary<string, string> { ["deployment/grafana"] = "1", ["deployment/ingest"] = "1", ["statefulset/kafka"] = "kafka-5d8f" })
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Rollback(_kubectl, Record, "--result-file", Results);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("deployment/ingest did not exist before the deploy", result.StandardError);
        Assert.DoesNotContain(_kubectl.CallLines, c => c.Contains(" rollout ", StringComparison.Ordinal));
        Assert.Equal(["rolled-back=false"], File.ReadAllLines(Results));
    }

    [Fact]
    public void Only_what_changed_goes_back_and_a_workload_with_one_revision_is_left_alone()
    {
        // grafana has a single revision and this deploy did not change it: `rollout undo` would fail on it
        // with "no rollout history", and must not be called.
        File.WriteAllLines(Record, ["deployment/grafana=1", "deployment/ingest=3", "deployment/persister=7", "deployment/stats=2"]);
        _kubectl.AnswerRevisions(new Dictionary<string, string>
        {
            ["deployment/grafana"] = "1",
            ["deployment/ingest"] = "4",
            ["deployment/persister"] = "8",
            ["deployment/stats"] = "2",
        })
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Rollback(_kubectl, Record, "--result-file", Results);

        Assert.True(result.ExitCode == 0, result.ToString());
        var undone = _kubectl.CallLines.Where(c => c.Contains(" rollout undo ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "--namespace log-monitoring rollout undo deployment/ingest --to-revision=3",
                "--namespace log-monitoring rollout undo deployment/persister --to-revision=7",
            ],
            undone);
        var waited = _kubectl.CallLines.Where(c => c.Contains(" rollout status ", StringComparison.Ordinal)).Select(c => c.Split(' ')[4]);
        Assert.Equal(["deployment/ingest", "deployment/persister"], waited);
        Assert.Equal(["rolled-back=true"], File.ReadAllLines(Results));
    }

    [Fact]
    public void A_deploy_that_failed_halfway_is_undone_everywhere_it_applied_stateful_sets_included()
    {
        // The deploy records, applies everything at once, and fails on persister's rollout.
        _kubectl
            .AnswerRevisions(new Dictionary<string, string>
            {
                ["deployment/grafana"] = "1",
                ["deployment/ingest"] = "3",
                ["deployment/persister"] = "3",
                ["deployment/stats"] = "2",
                ["statefulset/kafka"] = "kafka-5d8f",
                ["statefulset/mongo"] = "mongo-77aa",
            }, once: true)
            .Answer($"--namespace {ScriptedCluster.Namespace} rollout status deployment/persister *", exitCode: 1, once: true,
                error: "error: deployment \"persister\" exceeded its progress deadline\n")
            // What the cluster looks like afterwards: every changed workload moved on, Kafka included.
            .AnswerRevisions(new Dictionary<string, string>
            {
                ["deployment/grafana"] = "1",
                ["deployment/ingest"] = "4",
                ["deployment/persister"] = "4",
                ["deployment/stats"] = "3",
                ["statefulset/kafka"] = "kafka-9c1e",
                ["statefulset/mongo"] = "mongo-77aa",
            })
            .Answer($"--namespace {ScriptedCluster.Namespace} get controllerrevision kafka-5d8f *", "2")
            .AnswerHealthyRollout();

        var deploy = ScriptedCluster.Deploy(_kubectl, Record);
        Assert.NotEqual(0, deploy.ExitCode);

        var rollback = ScriptedCluster.Rollback(_kubectl, Record);

        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        var undone = _kubectl.CallLines.Where(c => c.Contains(" rollout undo ", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(
            [
                "--namespace log-monitoring rollout undo deployment/ingest --to-revision=3",
                "--namespace log-monitoring rollout undo deployment/persister --to-revision=3",
                "--namespace log-monitoring rollout undo deployment/stats --to-revision=2",
                "--namespace log-monitoring rollout undo statefulset/kafka --to-revision=2",
            ],
            undone);
    }

    [Fact]
    public void An_error_on_one_workload_is_reported_and_the_others_are_still_rolled_back()
    {
        File.WriteAllLines(Record, ["deployment/ingest=3", "deployment/persister=7", "deployment/stats=2", "statefulset/kafka=kafka-gone"]);
        _kubectl.AnswerRevisions(new Dictionary<string, string>
        {
            ["deployment/ingest"] = "4",
            ["deployment/persister"] = "8",
            ["deployment/stats"] = "3",
            ["statefulset/kafka"] = "kafka-9c1e",
        })
            .Answer($"--namespace {ScriptedCluster.Namespace} rollout undo deployment/ingest *", exitCode: 1,
                error: "error: unable to find specified revision 3 in history\n")
            .Answer($"--namespace {ScriptedCluster.Namespace} get controllerrevision kafka-gone *", exitCode: 1,
                error: "Error from server (NotFound): controllerrevisions.apps \"kafka-gone\" not found\n")
            .Answer($"--namespace {ScriptedCluster.Namespace} rollout status deployment/stats *", exitCode: 1,
                error: "error: timed out waiting for the condition\n")
            .AnswerHealthyRollout();

        var result = ScriptedCluster.Rollback(_kubectl, Record, "--result-file", Results);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("could not roll back: deployment/ingest statefulset/kafka deployment/stats", result.StandardError);
        Assert.Contains(_kubectl.CallLines, c => c.EndsWith("rollout undo deployment/persister --to-revision=7", StringComparison.Ordinal));
        Assert.Contains(_kubectl.CallLines, c => c.EndsWith("rollout undo deployment/stats --to-revision=2", StringComparison.Ordinal));
        Assert.Equal(["rolled-back=true"], File.ReadAllLines(Results));
    }

    [Fact]
    public void Without_a_record_nothing_was_applied_so_nothing_is_touched()
    {
        var result = ScriptedCluster.Rollback(_kubectl, Record, "--result-file", Results);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("nothing to roll back", result.StandardError);
        Assert.Empty(_kubectl.Calls);
        Assert.Equal(["rolled-back=false"], File.ReadAllLines(Results));
    }

    [Fact]
    public void A_cluster_that_cannot_be_read_fails_the_rollback_instead_of_looking_unchanged()
    {
        File.WriteAllLines(Record, ["deployment/ingest=3"]);
        _kubectl.Answer($"--namespace {ScriptedCluster.Namespace} get deployments *", exitCode: 1, error: "Unable to connect to the server\n");

        var result = ScriptedCluster.Rollback(_kubectl, Record);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("could not read the workloads of log-monitoring", result.StandardError);
    }
}
