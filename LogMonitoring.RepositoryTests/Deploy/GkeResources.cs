using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

// Typed models of the two GKE custom resources the gke overlay uses, with the fields GKE documents,
// so a misspelt field fails to load exactly as a built-in kind's would.

/// <summary>GKE's BackendConfig (cloud.google.com/v1): load balancer settings for a Service.</summary>
public sealed class BackendConfig : IKubernetesObject<V1ObjectMeta>
{
    public const string TypeKey = "cloud.google.com/v1/BackendConfig";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public BackendConfigSpec Spec { get; set; } = new();
}

public sealed class BackendConfigSpec
{
    [JsonPropertyName("healthCheck")] public BackendHealthCheck? HealthCheck { get; set; }
    [JsonPropertyName("connectionDraining")] public BackendConnectionDraining? ConnectionDraining { get; set; }
    [JsonPropertyName("timeoutSec")] public int? TimeoutSec { get; set; }
    [JsonPropertyName("sessionAffinity")] public BackendSessionAffinity? SessionAffinity { get; set; }
}

public sealed class BackendSessionAffinity
{
    [JsonPropertyName("affinityType")] public string? AffinityType { get; set; }
    [JsonPropertyName("affinityCookieTtlSec")] public int? AffinityCookieTtlSec { get; set; }
}

public sealed class BackendHealthCheck
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("requestPath")] public string? RequestPath { get; set; }
    [JsonPropertyName("port")] public int? Port { get; set; }
    [JsonPropertyName("checkIntervalSec")] public int? CheckIntervalSec { get; set; }
    [JsonPropertyName("timeoutSec")] public int? TimeoutSec { get; set; }
    [JsonPropertyName("healthyThreshold")] public int? HealthyThreshold { get; set; }
    [JsonPropertyName("unhealthyThreshold")] public int? UnhealthyThreshold { get; set; }
}

public sealed class BackendConnectionDraining
{
    [JsonPropertyName("drainingTimeoutSec")] public int? DrainingTimeoutSec { get; set; }
}

/// <summary>GKE's ManagedCertificate (networking.gke.io/v1): a Google-managed TLS certificate.</summary>
public sealed class ManagedCertificate : IKubernetesObject<V1ObjectMeta>
{
    public const string TypeKey = "networking.gke.io/v1/ManagedCertificate";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public ManagedCertificateSpec Spec { get; set; } = new();
}

public sealed class ManagedCertificateSpec
{
    [JsonPropertyName("domains")] public IList<string> Domains { get; set; } = [];
}
