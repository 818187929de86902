using System.ComponentModel.DataAnnotations;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The explorer runs several replicas in a cluster and Blazor Server keeps each page's circuit in one pod:
/// each browser is kept on its pod (Service affinity, and the GKE load balancer's cookie), and the
/// replicas share one data-protection key, so a browser that does move stays signed in.
/// </summary>
public sealed class ExplorerReplicaTests
{
    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_replica_reads_the_same_valid_data_protection_key_from_the_secret(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var explorer = rendered.Single<V1Deployment>("explorer");
        Assert.True(explorer.Spec.Replicas is null or > 1, "the explorer runs several replicas");

        var variable = Assert.Single(Assert.Single(explorer.Spec.Template.Spec.Containers).Env, e => e.Name == "DataProtection__Key");
        var reference = variable.ValueFrom.SecretKeyRef;
        Assert.NotEqual(true, reference.Optional);
        var secret = rendered.Single<V1Secret>(reference.Name);
        var value = Encoding.UTF8.GetString(secret.Data[reference.Key]);

        // The committed example (what these renders use) passes the explorer's own validation.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("DataProtection:Key", value)]).Build();
        var optionsType = ServiceAssemblies.Type("LogMonitoring.Explorer", "LogMonitoring.Explorer.KeyRing.SharedKeyRingOptions");
        var options = configuration.GetSection("DataProtection").Get(optionsType)!;
        var results = new List<ValidationResult>();
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true), string.Join("; ", results.Select(r => r.ErrorMessage)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_service_keeps_each_browser_on_the_pod_that_holds_its_circuit(string overlay)
    {
        Assert.Equal("ClientIP", RenderedOverlay.Load(overlay).Single<V1Service>("explorer").Spec.SessionAffinity);
    }

    [Fact]
    public void The_gke_load_balancer_sticks_a_browser_to_its_pod_with_a_cookie_and_keeps_the_websocket_open()
    {
        var gke = RenderedOverlay.Load("gke");
        var annotation = gke.Single<V1Service>("explorer").Metadata.Annotations["cloud.google.com/backend-config"];
        var name = System.Text.Json.JsonDocument.Parse(annotation).RootElement.GetProperty("default").GetString()!;
        var backend = gke.Single<BackendConfig>(name).Spec;

        Assert.Equal("GENERATED_COOKIE", backend.SessionAffinity?.AffinityType);
        Assert.True(backend.SessionAffinity?.AffinityCookieTtlSec >= 3600);
        // A circuit's WebSocket lasts as long as the page is open; the default 30 s would cut it.
        Assert.True(backend.TimeoutSec >= 3600);
    }
}
