using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

// A typed model of KEDA's ScaledObject (keda.sh/v1alpha1) with the fields the keda-persister component
// uses, so a misspelt field fails to load as a built-in kind's would. The full schema is checked by
// .ci/checks/k8s.sh against @kubernetes-models/keda.

/// <summary>KEDA's ScaledObject: a workload scaled by KEDA through an HPA it creates and owns.</summary>
public sealed class ScaledObject : IKubernetesObject<V1ObjectMeta>
{
    public const string TypeKey = "keda.sh/v1alpha1/ScaledObject";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public ScaledObjectSpec Spec { get; set; } = new();
}

public sealed class ScaledObjectSpec
{
    [JsonPropertyName("scaleTargetRef")] public ScaleTarget ScaleTargetRef { get; set; } = new();
    [JsonPropertyName("minReplicaCount")] public int? MinReplicaCount { get; set; }
    [JsonPropertyName("maxReplicaCount")] public int? MaxReplicaCount { get; set; }
    [JsonPropertyName("pollingInterval")] public int? PollingInterval { get; set; }
    [JsonPropertyName("advanced")] public ScaledObjectAdvanced? Advanced { get; set; }
    [JsonPropertyName("triggers")] public IList<ScaleTrigger> Triggers { get; set; } = [];
}

public sealed class ScaleTarget
{
    [JsonPropertyName("apiVersion")] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind")] public string? Kind { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

public sealed class ScaledObjectAdvanced
{
    [JsonPropertyName("horizontalPodAutoscalerConfig")] public KedaHpaConfig? HorizontalPodAutoscalerConfig { get; set; }
}

public sealed class KedaHpaConfig
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("behavior")] public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

public sealed class ScaleTrigger
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("metricType")] public string? MetricType { get; set; }
    [JsonPropertyName("metadata")] public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
}
