using k8s;
using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The deployer's RBAC (deploy/k8s/deployer) lets CD apply every object the overlays render and make
/// every kubectl call the scripts make, and no write beyond them: the KUBE_CONFIG fallback and the
/// per-environment Google identities are bound to it.
/// </summary>
public sealed class DeployerRoleTests
{
    /// <summary>The API resource of each kind the overlays render. A new kind fails until it is named here and granted.</summary>
    private static readonly Dictionary<string, string> s_resources = new()
    {
        ["Namespace"] = "namespaces",
        ["ConfigMap"] = "configmaps",
        ["Secret"] = "secrets",
        ["Service"] = "services",
        ["ServiceAccount"] = "serviceaccounts",
        ["Deployment"] = "deployments",
        ["StatefulSet"] = "statefulsets",
        ["Job"] = "jobs",
        ["HorizontalPodAutoscaler"] = "horizontalpodautoscalers",
        ["PodDisruptionBudget"] = "poddisruptionbudgets",
        ["Ingress"] = "ingresses",
        ["NetworkPolicy"] = "networkpolicies",
        ["Role"] = "roles",
        ["RoleBinding"] = "rolebindings",
        ["BackendConfig"] = "backendconfigs",
        ["ManagedCertificate"] = "managedcertificates",
        ["FrontendConfig"] = "frontendconfigs",
        ["ScaledObject"] = "scaledobjects",
    };

    private static readonly string[] s_writeVerbs = ["create", "update", "patch", "delete", "deletecollection", "*"];

    public static TheoryData<string> Overlays => new(RenderedOverlay.Names.Concat(RenderedOverlay.WithComponents));

    private static RenderedOverlay Deployer => RenderedOverlay.LoadKustomization("deployer");

    private static V1Role Role => Deployer.Single<V1Role>("logmonitoring-deployer");

    private static V1ClusterRole NamespaceRole => Deployer.Single<V1ClusterRole>("logmonitoring-deployer-log-monitoring");

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_deployer_may_apply_every_object_the_overlay_renders(string overlay)
    {
        var missing = new List<string>();
        foreach (var item in RenderedOverlay.Load(overlay).Objects.Cast<IKubernetesObject<V1ObjectMeta>>())
        {
            Assert.True(s_resources.TryGetValue(item.Kind, out var resource), $"{item.Kind}: name its API resource here and grant it in deploy/k8s/deployer/role.yaml");
            var group = item.ApiVersion.Contains('/') ? item.ApiVersion[..item.ApiVersion.IndexOf('/')] : "";
            foreach (var verb in new[] { "get", "create", "patch" })
            {
                // The namespace exists before the first deploy (the admin applies deploy/k8s/deployer): get and patch it, never create.
                var allowed = item is V1Namespace
                    ? verb == "create" || Allows(NamespaceRole.Rules, group, resource, verb, item.Metadata.Name)
                    : Allows(Role.Rules, group, resource, verb, item.Metadata.Name);
                if (!allowed)
                {
                    missing.Add($"{verb} {resource}.{group} ({item.Kind}/{item.Metadata.Name})");
                }
            }
        }

        Assert.Empty(missing.Distinct());
    }

    [Fact]
    public void The_deployer_may_make_every_call_the_deploy_rollback_verify_and_report_scripts_make()
    {
        using var kubectl = new RecordingKubectl();
        var folder = Directory.CreateTempSubdirectory("deployer-role-").FullName;
        var record = Path.Combine(folder, "revisions");
        kubectl
            .AnswerRevisions(new Dictionary<string, string> { ["deployment/ingest"] = "3", ["statefulset/kafka"] = "kafka-5d8f" }, once: true)
            .AnswerRevisions(new Dictionary<string, string> { ["deployment/ingest"] = "4", ["statefulset/kafka"] = "kafka-9c1e" })
            .Answer($"--namespace {ScriptedCluster.Namespace} get job/kafka-create-topics *", "Failed ")
            .Answer($"--namespace {ScriptedCluster.Namespace} get controllerrevision *", "2")
            .Answer("get --raw *", "{\"status\":\"Healthy\"}")
            .Answer("version *", "Client Version: v1.32.0\n")
            .Answer("get deployments --namespace *", "NAME READY\n")
            .Answer("get events --namespace *", "LAST SEEN TYPE\n")
            .AnswerHealthyRollout();

        Assert.NotEqual(0, ScriptedCluster.Deploy(kubectl, record).ExitCode);
        Assert.Equal(0, ScriptedCluster.Rollback(kubectl, record).ExitCode);
        Assert.Equal(0, ScriptedCluster.Run("deploy/scripts/verify.sh", kubectl, []).ExitCode);
        Assert.Equal(0, ScriptedCluster.Run("deploy/ci/report-deployment.sh", kubectl,
            ["--environment", "staging", "--namespace", ScriptedCluster.Namespace, "--image-tag", "abc", "--deploy", "failure", "--verify", "skipped", "--rollback", "success", "--rolled-back", "true"]).ExitCode);

        var missing = kubectl.Calls
            .SelectMany(call => Needs(call).Select(need => (Call: string.Join(' ', call), need.Group, need.Resource, need.Verb)))
            .Where(n => !Allows(Role.Rules, n.Group, n.Resource, n.Verb, null))
            .Select(n => $"{n.Verb} {n.Resource}.{n.Group} for: kubectl {n.Call}")
            .Distinct()
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void The_deployer_writes_nothing_outside_its_namespace_but_that_namespace_itself()
    {
        var namespaceRule = Assert.Single(NamespaceRole.Rules);
        Assert.Equal(["namespaces"], namespaceRule.Resources);
        Assert.Equal(["log-monitoring"], namespaceRule.ResourceNames);
        Assert.Equal(["get", "patch"], namespaceRule.Verbs.Order());

        // Reading Secrets is what apply needs; no rule grants a wildcard or escalation.
        Assert.All(Role.Rules, rule =>
        {
            Assert.DoesNotContain("*", rule.Verbs);
            Assert.DoesNotContain("*", rule.Resources);
            Assert.DoesNotContain("escalate", rule.Verbs);
            Assert.DoesNotContain("bind", rule.Verbs);
            Assert.DoesNotContain("impersonate", rule.Verbs);
        });
        var binding = Deployer.Single<V1RoleBinding>("logmonitoring-deployer");
        Assert.Equal(("Role", "logmonitoring-deployer"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Contains(binding.Subjects, s => s.Kind == "ServiceAccount" && s.Name == "logmonitoring-deployer");
    }

    [Fact]
    public void Only_the_set_up_jobs_may_be_deleted()
    {
        var deletable = Role.Rules.Where(r => r.Verbs.Intersect(s_writeVerbs).Contains("delete")).SelectMany(r => r.Resources);
        Assert.Equal(["jobs"], deletable);
    }

    /// <summary>The API permissions a recorded kubectl call needs (objects given to apply are checked per overlay).</summary>
    private static IEnumerable<(string Group, string Resource, string Verb)> Needs(string[] call)
    {
        // The positional arguments: options and the values of those that take one are left out.
        string[] valued = ["--namespace", "--output", "-o", "--selector", "--field-selector", "--sort-by", "--timeout", "--tail", "--raw", "--request-timeout"];
        var arguments = new List<string>();
        for (var i = 0; i < call.Length; i++)
        {
            if (valued.Contains(call[i]))
            {
                i++;
            }
            else if (!call[i].StartsWith('-'))
            {
                arguments.Add(call[i]);
            }
        }

        (string Group, string Resource) Of(string name) => name.Split('/')[0] switch
        {
            "deployment" or "deployments" => ("apps", "deployments"),
            "statefulset" or "statefulsets" => ("apps", "statefulsets"),
            "controllerrevision" => ("apps", "controllerrevisions"),
            "job" => ("batch", "jobs"),
            "pods" => ("", "pods"),
            "events" => ("", "events"),
            var other => throw new Xunit.Sdk.XunitException($"no RBAC mapping for '{other}' in: kubectl {string.Join(' ', call)}"),
        };

        switch (arguments[0])
        {
            case "kustomize" or "apply" or "version":
                yield break;
            case "get" when call.Contains("--raw"):
                Assert.Matches("^/api/v1/namespaces/[^/]+/services/[^/]+/proxy/", call[Array.IndexOf(call, "--raw") + 1]);
                yield return ("", "services/proxy", "get");
                break;
            case "get":
                var (group, resource) = Of(arguments[1]);
                yield return (group, resource, arguments[1].Contains('/') || arguments.Count > 2 ? "get" : "list");
                break;
            case "delete":
                foreach (var target in arguments.Skip(1))
                {
                    var (g, r) = Of(target);
                    yield return (g, r, "delete");
                }

                break;
            case "rollout" when arguments[1] == "status":
                var (sg, sr) = Of(arguments[2]);
                yield return (sg, sr, "get");
                yield return (sg, sr, "watch");
                yield return (sg, sr, "list");
                break;
            case "rollout" when arguments[1] == "undo":
                var (ug, ur) = Of(arguments[2]);
                yield return (ug, ur, "get");
                yield return (ug, ur, "patch");
                yield return ("apps", ur == "deployments" ? "replicasets" : "controllerrevisions", "list");
                break;
            case "logs":
                yield return ("batch", "jobs", "get");
                yield return ("", "pods", "list");
                yield return ("", "pods/log", "get");
                break;
            default:
                throw new Xunit.Sdk.XunitException($"no RBAC mapping for: kubectl {string.Join(' ', call)}");
        }
    }

    private static bool Allows(IEnumerable<V1PolicyRule> rules, string group, string resource, string verb, string? name) =>
        rules.Any(rule =>
            (rule.ApiGroups ?? []).Contains(group)
            && (rule.Resources ?? []).Contains(resource)
            && rule.Verbs.Contains(verb)
            && (rule.ResourceNames is not { Count: > 0 } names || (name is not null && names.Contains(name))));
}
