using k8s.Models;
using LogMonitoring.AppHost.BackingServices;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The optional Kafka UI for a laptop cluster (<c>deploy/k8s/overlays/local/kafka-ui</c>) runs the AppHost's
/// Kafka UI image in the system's namespace and points at a Kafka Service the local overlay really has.
/// </summary>
public class KafkaUiOverlayTests
{
    private const string Folder = "local/kafka-ui";

    [Fact]
    public void It_runs_the_appHosts_image_in_the_systems_namespace()
    {
        var rendered = RenderedOverlay.Load(Folder);
        var deployment = rendered.Single<V1Deployment>("kafka-ui");
        var service = rendered.Single<V1Service>("kafka-ui");

        Assert.Equal($"{KafkaUiExtensions.Registry}/{KafkaUiExtensions.Image}:{KafkaUiExtensions.Tag}", Assert.Single(deployment.Spec.Template.Spec.Containers).Image);
        Assert.All([deployment.Metadata.NamespaceProperty, service.Metadata.NamespaceProperty],
            ns => Assert.Equal(RenderedOverlay.Load("local").Single<V1Deployment>("ingest").Metadata.NamespaceProperty, ns));
        Assert.Equal(deployment.Spec.Template.Metadata.Labels["app.kubernetes.io/name"], service.Spec.Selector["app.kubernetes.io/name"]);
    }

    [Fact]
    public void It_reaches_kafka_through_a_service_and_port_of_the_local_overlay()
    {
        var container = RenderedOverlay.Load(Folder).Single<V1Deployment>("kafka-ui").Spec.Template.Spec.Containers.Single();
        var bootstrap = container.Env.Single(e => e.Name == "KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS").Value.Split(':');

        var kafka = RenderedOverlay.Load("local").Single<V1Service>(bootstrap[0]);
        Assert.Contains(kafka.Spec.Ports, p => p.Port == int.Parse(bootstrap[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
