using k8s;
using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

public class OverlayRenderTests
{
    public static TheoryData<string> Overlays => new(RenderedOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_rendered_object_loads_into_a_typed_model(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);

        var documents = rendered.Yaml.Split("\n---\n").Count(d => !string.IsNullOrWhiteSpace(d));
        Assert.Equal(documents, rendered.Objects.Count);
        Assert.All(rendered.Objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Everything_lives_in_the_log_monitoring_namespace(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);

        Assert.Equal("log-monitoring", Assert.Single(rendered.All<V1Namespace>()).Metadata.Name);
        var outside = rendered.Objects.Cast<IKubernetesObject<V1ObjectMeta>>()
            .Where(o => o is not V1Namespace && o.Metadata.NamespaceProperty != "log-monitoring")
            .Select(o => $"{o.Kind}/{o.Metadata.Name}");
        Assert.Empty(outside);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_system_is_all_there(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);

        Assert.Equal(["alertmanager", "explorer", "grafana", "ingest", "persister", "stats"], rendered.All<V1Deployment>().Select(d => d.Metadata.Name).Order());
        Assert.Equal(["kafka", "mongo", "prometheus"], rendered.All<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        Assert.Equal(["kafka-create-topics", "mongo-init-replica-set"], rendered.All<V1Job>().Select(j => j.Metadata.Name).Order());
    }

    [Fact]
    public void Base_replica_counts_follow_the_design()
    {
        var gke = RenderedOverlay.Load("gke");

        Assert.Equal(2, gke.Single<V1Deployment>("stats").Spec.Replicas);
        Assert.Equal(3, gke.Single<V1StatefulSet>("kafka").Spec.Replicas);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void A_deployment_an_autoscaler_scales_leaves_its_replica_count_to_it(string overlay)
    {
        // A replicas field would reset the autoscaler's count on every kubectl apply.
        var rendered = RenderedOverlay.Load(overlay);
        var scaled = rendered.All<V2HorizontalPodAutoscaler>().Select(h => h.Spec.ScaleTargetRef.Name).ToHashSet();
        Assert.NotEmpty(scaled);
        Assert.All(rendered.All<V1Deployment>(), deployment =>
        {
            if (scaled.Contains(deployment.Metadata.Name))
            {
                Assert.Null(deployment.Spec.Replicas);
            }
            else
            {
                Assert.NotNull(deployment.Spec.Replicas);
            }
        });
    }

    [Fact]
    public void The_local_overlay_runs_one_kafka_broker_that_is_its_own_quorum()
    {
        var local = RenderedOverlay.Load("local");

        Assert.Equal(1, local.Single<V1StatefulSet>("kafka").Spec.Replicas);
        var kafka = KafkaSettings(local);
        Assert.Equal("0@kafka-0.kafka:9093", kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"]);
        foreach (var factor in new[] { "KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS" })
        {
            Assert.Equal("1", kafka[factor]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Kafka_quorum_voters_are_exactly_the_brokers(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var replicas = rendered.Single<V1StatefulSet>("kafka").Spec.Replicas ?? 1;

        var voters = KafkaSettings(rendered)["KAFKA_CONTROLLER_QUORUM_VOTERS"].Split(',');
        Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"{i}@kafka-{i}.kafka:9093"), voters);
        Assert.True(int.Parse(KafkaSettings(rendered)["KAFKA_DEFAULT_REPLICATION_FACTOR"]) <= replicas);
    }

    [Fact]
    public void The_local_overlay_exposes_the_entry_points_on_node_ports()
    {
        var local = RenderedOverlay.Load("local");

        foreach (var (service, nodePort) in new[] { ("ingest", 30100), ("stats", 30200), ("explorer", 30500), ("grafana", 30300), ("prometheus", 30090) })
        {
            var spec = local.Single<V1Service>(service).Spec;
            Assert.Equal("NodePort", spec.Type);
            Assert.Equal(nodePort, Assert.Single(spec.Ports).NodePort);
        }
    }

    internal static IDictionary<string, string> KafkaSettings(RenderedOverlay rendered)
    {
        var broker = Assert.Single(rendered.Single<V1StatefulSet>("kafka").Spec.Template.Spec.Containers);
        return ContainerEnvironment.Of(rendered, broker).ToDictionary();
    }
}
