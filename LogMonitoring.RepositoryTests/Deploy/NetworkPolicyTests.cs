using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The rendered NetworkPolicies, evaluated the way Kubernetes does (a pod selected by any policy admits
/// only what some rule of those policies allows): Kafka and MongoDB only from the pods that use them,
/// the public services from anywhere, /metrics of the private ones only from Prometheus.
/// </summary>
public class NetworkPolicyTests
{
    /// <summary>Who must reach whom, on which port; "outside" is anything not a pod of the namespace.</summary>
    public static TheoryData<string, string, string, int, bool> Connections()
    {
        var data = new TheoryData<string, string, string, int, bool>();
        // The optional components open nothing inside the namespace either.
        foreach (var overlay in RenderedOverlay.Names.Concat(RenderedOverlay.WithComponents))
        {
            foreach (var (from, to, port, allowed) in s_expected)
            {
                data.Add(overlay, from, to, port, allowed);
            }
        }

        return data;
    }

    private static readonly (string From, string To, int Port, bool Allowed)[] s_expected =
    [
        ("outside", "ingest", 8080, true),
        ("outside", "stats", 8080, true),
        ("outside", "explorer", 8080, true),
        ("explorer", "stats", 8080, true),
        ("explorer", "prometheus", 9090, true),
        ("explorer", "mongo", 27017, false),
        ("outside", "grafana", 3000, true),
        ("outside", "persister", 8080, false),
        ("outside", "kafka", 9092, false),
        ("outside", "mongo", 27017, false),
        ("outside", "prometheus", 9090, false),
        ("outside", "alertmanager", 9093, false),
        ("ingest", "kafka", 9092, true),
        ("persister", "kafka", 9092, true),
        ("kafka-create-topics", "kafka", 9092, true),
        ("kafka", "kafka", 9093, true),
        ("stats", "kafka", 9092, false),
        ("grafana", "kafka", 9092, false),
        ("persister", "mongo", 27017, true),
        ("stats", "mongo", 27017, true),
        ("mongo-init-replica-set", "mongo", 27017, true),
        ("ingest", "mongo", 27017, false),
        ("grafana", "mongo", 27017, false),
        ("prometheus", "ingest", 8080, true),
        ("prometheus", "persister", 8080, true),
        ("prometheus", "stats", 8080, true),
        ("prometheus", "explorer", 8080, true),
        ("ingest", "persister", 8080, false),
        ("grafana", "prometheus", 9090, true),
        ("grafana", "stats", 8080, true),
        ("ingest", "prometheus", 9090, false),
        ("prometheus", "alertmanager", 9093, true),
        ("grafana", "alertmanager", 9093, true),
        ("stats", "alertmanager", 9093, false),
    ];

    [Theory]
    [MemberData(nameof(Connections))]
    public void Only_the_intended_connections_are_admitted(string overlay, string from, string to, int port, bool allowed)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var destination = PodLabels(rendered, to);
        var source = from == "outside" ? null : PodLabels(rendered, from);

        Assert.Equal(allowed, Admits(rendered.All<V1NetworkPolicy>().ToList(), source, destination, port));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_pod_is_behind_a_policy(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var policies = rendered.All<V1NetworkPolicy>().ToList();
        Assert.All(rendered.PodTemplates(), t =>
            Assert.Contains(policies, p => p.Spec.PolicyTypes.Contains("Ingress") && Matches(p.Spec.PodSelector, t.Template.Metadata.Labels)));
    }

    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    private static IDictionary<string, string> PodLabels(RenderedOverlay rendered, string name) =>
        rendered.PodTemplates().Single(t => t.Template.Metadata.Labels["app.kubernetes.io/name"] == name).Template.Metadata.Labels;

    private static bool Admits(List<V1NetworkPolicy> policies, IDictionary<string, string>? source, IDictionary<string, string> destination, int port)
    {
        var applying = policies.Where(p => p.Spec.PolicyTypes.Contains("Ingress") && Matches(p.Spec.PodSelector, destination)).ToList();
        return applying.Count == 0 || applying.SelectMany(p => p.Spec.Ingress ?? []).Any(rule =>
            (rule.Ports is null || rule.Ports.Count == 0 || rule.Ports.Any(p => p.Port?.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            && (rule.FromProperty is null || rule.FromProperty.Count == 0
                || rule.FromProperty.Any(peer => source is not null && peer.NamespaceSelector is null && peer.IpBlock is null && peer.PodSelector is { } selector && Matches(selector, source))));
    }

    /// <summary>A label selector's verdict: matchLabels all equal, every matchExpressions "In" satisfied; an empty selector matches all.</summary>
    private static bool Matches(V1LabelSelector selector, IDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(w => labels.TryGetValue(w.Key, out var value) && value == w.Value)
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty == "In"
            ? labels.TryGetValue(e.Key, out var value) && e.Values.Contains(value)
            : throw new NotSupportedException($"operator {e.OperatorProperty}"));
}
