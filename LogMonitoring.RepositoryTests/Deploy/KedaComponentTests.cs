using System.Globalization;
using k8s;
using k8s.Models;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// The optional keda-persister component (deploy/k8s/components/keda-persister): KEDA scales the
/// persisters on their group's lag with the base HPA's bounds, the base HPA is gone (two HPAs on one
/// Deployment fight), KEDA's operator may reach Kafka, and deploy.sh adds it and points it at the namespace.
/// </summary>
public sealed class KedaComponentTests
{
    private const string Name = "gke+keda-persister";

    private readonly RenderedOverlay _gke = RenderedOverlay.Load("gke");
    private readonly RenderedOverlay _withKeda = RenderedOverlay.Load(Name);

    [Fact]
    public void Keda_replaces_the_persister_hpa_with_the_same_bounds_and_changes_nothing_else()
    {
        var hpa = _gke.Single<V2HorizontalPodAutoscaler>("persister");
        var scaled = _withKeda.Single<ScaledObject>("persister");

        Assert.DoesNotContain(_withKeda.All<V2HorizontalPodAutoscaler>(), h => h.Spec.ScaleTargetRef.Name == "persister");
        Assert.Equal(hpa.Spec.ScaleTargetRef.Name, scaled.Spec.ScaleTargetRef.Name);
        Assert.Equal(hpa.Spec.ScaleTargetRef.Kind, scaled.Spec.ScaleTargetRef.Kind ?? "Deployment");
        Assert.Equal(hpa.Spec.MinReplicas, scaled.Spec.MinReplicaCount);
        Assert.Equal(hpa.Spec.MaxReplicas, scaled.Spec.MaxReplicaCount);
        // KEDA adopts the HPA a deploy without the component left behind, under its name.
        Assert.Equal("true", scaled.Metadata.Annotations["scaledobject.keda.sh/transfer-hpa-ownership"]);
        Assert.Equal(hpa.Metadata.Name, scaled.Spec.Advanced?.HorizontalPodAutoscalerConfig?.Name);
        Assert.Equal(
            KubernetesJson.Serialize(hpa.Spec.Behavior),
            KubernetesJson.Serialize(scaled.Spec.Advanced!.HorizontalPodAutoscalerConfig!.Behavior));
        // CPU still counts, as in the base HPA.
        var cpu = Assert.Single(hpa.Spec.Metrics).Resource;
        var cpuTrigger = Assert.Single(scaled.Spec.Triggers, t => t.Type == "cpu");
        Assert.Equal(cpu.Target.Type, cpuTrigger.MetricType);
        Assert.Equal(cpu.Target.AverageUtilization?.ToString(CultureInfo.InvariantCulture), cpuTrigger.Metadata["value"]);

        var added = Names(_withKeda).Except(Names(_gke)).Order();
        var removed = Names(_gke).Except(Names(_withKeda)).Order();
        Assert.Equal(["NetworkPolicy/kafka-from-keda", "ScaledObject/persister"], added);
        Assert.Equal(["HorizontalPodAutoscaler/persister"], removed);
        Assert.All(_withKeda.Objects.Cast<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace), o =>
        {
            Assert.Equal("log-monitoring", o.Metadata.NamespaceProperty);
            Assert.Equal("logmonitoring", o.Metadata.Labels?["app.kubernetes.io/part-of"]);
        });
    }

    [Fact]
    public void The_lag_trigger_reads_the_persister_group_on_its_topic_from_the_brokers()
    {
        var trigger = Assert.Single(_withKeda.Single<ScaledObject>("persister").Spec.Triggers, t => t.Type == "kafka").Metadata;
        var persister = ContainerEnvironment.Of(_withKeda, Assert.Single(_withKeda.Single<V1Deployment>("persister").Spec.Template.Spec.Containers));
        var kafka = ContainerEnvironment.Of(_withKeda, Assert.Single(_withKeda.Single<V1StatefulSet>("kafka").Spec.Template.Spec.Containers));

        Assert.Equal(persister["Persister__GroupId"], trigger["consumerGroup"]);
        Assert.Equal(persister["Persister__Topic"], trigger["topic"]);
        Assert.True(int.Parse(trigger["lagThreshold"], CultureInfo.InvariantCulture) > 0);
        // As the persister's auto.offset.reset (earliest): a group without offsets has the whole topic to read.
        Assert.Equal("earliest", trigger["offsetResetPolicy"]);
        // More replicas than partitions would sit idle.
        Assert.True(_withKeda.Single<ScaledObject>("persister").Spec.MaxReplicaCount <= int.Parse(kafka["KAFKA_NUM_PARTITIONS"], CultureInfo.InvariantCulture));

        // KEDA's operator lives in another namespace: the Kafka Service by its full name, on its client port.
        var port = _withKeda.Single<V1Service>("kafka").Spec.Ports.Single(p => p.Name == "kafka").Port;
        Assert.Equal($"kafka.log-monitoring.svc.cluster.local:{port}", trigger["bootstrapServers"]);
        Assert.Equal($"kafka:{port}", persister["ConnectionStrings__kafka"]);
    }

    [Fact]
    public void Kedas_operator_may_reach_every_broker_on_the_client_port_only()
    {
        var policy = _withKeda.Single<V1NetworkPolicy>("kafka-from-keda");
        var kafkaPods = _withKeda.Single<V1StatefulSet>("kafka").Spec.Template.Metadata.Labels;
        Assert.All(policy.Spec.PodSelector.MatchLabels, l => Assert.Equal(l.Value, kafkaPods[l.Key]));

        var rule = Assert.Single(policy.Spec.Ingress);
        var peer = Assert.Single(rule.FromProperty);
        Assert.Equal("keda", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal("keda-operator", peer.PodSelector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal(["9092"], rule.Ports.Select(p => p.Port.Value));
    }

    [Fact]
    public void Deploy_adds_the_component_and_names_its_namespace_in_the_bootstrap_address()
    {
        var folder = Directory.CreateTempSubdirectory("keda-render-").FullName;
        var output = Path.Combine(folder, "rendered.yaml");
        var result = CommandLine.Run("bash",
            [DeployWorkspace.PathOf("deploy", "scripts", "deploy.sh"), "--overlay", "gke", "--registry", "europe-west1-docker.pkg.dev/demo/logmonitoring",
             "--tag", "abc1234", "--domain", "example.org", "--namespace", "logs-staging", "--component", "keda-persister", "--output", output],
            DeployWorkspace.Root);
        Assert.True(result.ExitCode == 0, result.ToString());

        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(output), RenderedOverlay.TypeMap, strict: true);
        var scaled = Assert.Single(objects.OfType<ScaledObject>());
        Assert.Equal("logs-staging", scaled.Metadata.NamespaceProperty);
        Assert.Equal("kafka.logs-staging.svc.cluster.local:9092", Assert.Single(scaled.Spec.Triggers, t => t.Type == "kafka").Metadata["bootstrapServers"]);
        Assert.DoesNotContain(objects.OfType<V2HorizontalPodAutoscaler>(), h => h.Metadata.Name == "persister");

        // The same from LOGMON_COMPONENTS (CD), and an unknown name stops before anything renders.
        var fromEnvironment = CommandLine.Run("bash",
            [DeployWorkspace.PathOf("deploy", "scripts", "deploy.sh"), "--overlay", "gke", "--registry", "r", "--tag", "t", "--domain", "example.org", "--output", output],
            DeployWorkspace.Root, new Dictionary<string, string> { ["LOGMON_COMPONENTS"] = "keda-persister" });
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.Contains("kind: ScaledObject", File.ReadAllText(output), StringComparison.Ordinal);

        var unknown = CommandLine.Run("bash",
            [DeployWorkspace.PathOf("deploy", "scripts", "deploy.sh"), "--overlay", "gke", "--registry", "r", "--tag", "t", "--domain", "example.org", "--component", "autoscale", "--output", output],
            DeployWorkspace.Root);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("no component named 'autoscale'", unknown.StandardError, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Names(RenderedOverlay rendered) =>
        rendered.Objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => $"{o.Kind}/{o.Metadata.Name}");
}
