using System.ComponentModel.DataAnnotations;
using System.Reflection;
using k8s.Models;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest;
using LogMonitoring.Storage.Statistics;
using Microsoft.Extensions.Configuration;

namespace LogMonitoring.RepositoryTests.Deploy;

/// <summary>
/// Every setting a service reads is set in its Deployment, with a value the service's own validation
/// accepts, and nothing is set that no service reads (a misspelt key would be ignored silently).
/// </summary>
public class ServiceSettingsTests
{
    /// <summary>
    /// Prefixes of variables read by the runtime, the OpenTelemetry SDK, service discovery, the shared API-key security,
    /// the explorer's shared data-protection key (a Secret's value, checked in ExplorerReplicaTests), or used to compose other values.
    /// </summary>
    private static readonly string[] s_infrastructurePrefixes = ["ASPNETCORE_", "DOTNET_", "OTEL_", "Logging__", "ConnectionStrings__", "Kafka__Client__", "MONGO_", "ApiKeys__Keys__", "ApiKeys__ProtectMetrics", "DataProtection__Key", "services__"];

    public static TheoryData<string, string> ServicesByOverlay()
    {
        var data = new TheoryData<string, string>();
        foreach (var overlay in RenderedOverlay.Names)
        {
            foreach (var service in new[] { "ingest", "persister", "stats", "explorer" })
            {
                data.Add(overlay, service);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServicesByOverlay))]
    public void Every_option_the_service_binds_is_set_and_passes_its_validation(string overlay, string service)
    {
        var environment = EnvironmentOf(overlay, service);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ContainerEnvironment.AsConfiguration(environment)).Build();

        foreach (var (section, optionsType) in OptionSections(service))
        {
            var unset = SettableProperties(optionsType).Where(p => !environment.ContainsKey($"{section}__{p.Name}")).Select(p => $"{section}__{p.Name}");
            Assert.Empty(unset);

            var options = configuration.GetSection(section).Get(optionsType)!;
            var results = new List<ValidationResult>();
            Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true), string.Join("; ", results.Select(r => r.ErrorMessage)));
        }
    }

    [Theory]
    [MemberData(nameof(ServicesByOverlay))]
    public void No_setting_is_set_that_the_service_does_not_read(string overlay, string service)
    {
        var known = OptionSections(service)
            .SelectMany(s => SettableProperties(s.Type).Select(p => $"{s.Section}__{p.Name}"))
            .ToHashSet(StringComparer.Ordinal);

        var mapPrefixes = OptionSections(service).SelectMany(s => MapProperties(s.Type).Select(p => $"{s.Section}__{p.Name}__")).ToList();

        var unknown = EnvironmentOf(overlay, service).Keys
            .Where(k => !known.Contains(k) && !s_infrastructurePrefixes.Concat(mapPrefixes).Any(p => k.StartsWith(p, StringComparison.Ordinal)));
        Assert.Empty(unknown);
    }

    [Theory]
    [MemberData(nameof(ServicesByOverlay))]
    public void Services_listen_on_the_port_their_container_declares(string overlay, string service)
    {
        var environment = EnvironmentOf(overlay, service);
        var container = Assert.Single(RenderedOverlay.Load(overlay).Single<V1Deployment>(service).Spec.Template.Spec.Containers);
        Assert.Equal(8080, Assert.Single(container.Ports, p => p.Name == "http").ContainerPort);
        Assert.Equal("8080", environment["ASPNETCORE_HTTP_PORTS"]);
    }

    [Theory]
    [MemberData(nameof(ServicesByOverlay))]
    public void Connection_strings_point_at_the_kafka_and_mongo_services(string overlay, string service)
    {
        var rendered = RenderedOverlay.Load(overlay);
        var environment = EnvironmentOf(overlay, service);

        if (environment.TryGetValue("ConnectionStrings__kafka", out var kafka))
        {
            var (host, port) = SplitHostPort(kafka);
            var kafkaService = rendered.Single<V1Service>(host);
            Assert.Contains(kafkaService.Spec.Ports, p => p.Port == port);
        }

        if (environment.TryGetValue("ConnectionStrings__logstore", out var logstore))
        {
            var url = new Uri(logstore);
            Assert.Equal("mongodb", url.Scheme);
            Assert.Equal("$(MONGO_USERNAME):$(MONGO_PASSWORD)", Uri.UnescapeDataString(url.UserInfo));
            // mongo-0.mongo: the first member of the StatefulSet behind the headless Service.
            var member = url.Host.Split('.');
            Assert.Equal("mongo-0", member[0]);
            var mongo = rendered.Single<V1StatefulSet>(member[1]);
            Assert.Equal(mongo.Spec.ServiceName, member[1]);
            Assert.Contains(rendered.Single<V1Service>(member[1]).Spec.Ports, p => p.Port == url.Port);
            var replicaSet = mongo.Spec.Template.Spec.Containers[0].Args.SkipWhile(a => a != "--replSet").ElementAt(1);
            Assert.Contains($"replicaSet={replicaSet}", url.Query);
            // The app user lives in the database it may use (readWrite there, nothing elsewhere).
            Assert.Contains("authSource=logmonitoring", url.Query);

            // $(VAR) expands only variables defined earlier in the same env list.
            var env = Assert.Single(rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers).Env.Select(e => e.Name).ToList();
            Assert.True(env.IndexOf("MONGO_PASSWORD") < env.IndexOf("ConnectionStrings__logstore"));
            Assert.True(env.IndexOf("MONGO_USERNAME") < env.IndexOf("ConnectionStrings__logstore"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_log_in_as_the_app_user_the_replica_set_job_creates_with_readWrite_on_their_database_only(string overlay)
    {
        var rendered = RenderedOverlay.Load(overlay);
        string KeyOf(V1Container container, string variable) => container.Env.Single(e => e.Name == variable).ValueFrom.SecretKeyRef.Key;
        var job = Assert.Single(rendered.Single<V1Job>("mongo-init-replica-set").Spec.Template.Spec.Containers);
        foreach (var service in new[] { "persister", "stats" })
        {
            var container = Assert.Single(rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers);
            Assert.Equal(KeyOf(job, "MONGO_APP_USERNAME"), KeyOf(container, "MONGO_USERNAME"));
            Assert.Equal(KeyOf(job, "MONGO_APP_PASSWORD"), KeyOf(container, "MONGO_PASSWORD"));
            // Not the administrator the MongoDB image creates (MONGO_INITDB_ROOT_*).
            var mongo = rendered.Single<V1StatefulSet>("mongo").Spec.Template.Spec.Containers.Single(c => c.Name == "mongo");
            Assert.NotEqual(KeyOf(mongo, "MONGO_INITDB_ROOT_USERNAME"), KeyOf(container, "MONGO_USERNAME"));
        }

        var script = string.Join('\n', job.Command);
        Assert.Contains("roles: [{ role: \"readWrite\", db: \"logmonitoring\" }]", script);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(script, "role:"));
        Assert.Contains("getSiblingDB(\"logmonitoring\")", script);
    }

    public static TheoryData<string> Overlays() => new("local", "gke");

    [Fact]
    public void The_committed_mongo_password_example_is_safe_inside_a_connection_string()
    {
        foreach (var key in new[] { "mongo-password=", "mongo-app-password=", "mongo-app-username=" })
        {
            var value = File.ReadAllLines(RepositoryRoot.PathOf("deploy", "k8s", "base", "secrets.env.example"))
                .Single(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..];
            Assert.Equal(Uri.EscapeDataString(value), value);
        }
    }

    internal static IReadOnlyDictionary<string, string> EnvironmentOf(string overlay, string service)
    {
        var rendered = RenderedOverlay.Load(overlay);
        return ContainerEnvironment.Of(rendered, Assert.Single(rendered.Single<V1Deployment>(service).Spec.Template.Spec.Containers));
    }

    /// <summary>The configuration sections each service binds to options (see each service's Extensions.cs).</summary>
    private static IEnumerable<(string Section, Type Type)> OptionSections(string service) => service switch
    {
        "ingest" => [(IngestOptions.SectionName, typeof(IngestOptions)), (LogLimits.SectionName, typeof(LogLimits))],
        "persister" =>
        [
            ("Persister", ServiceAssemblies.Type("LogMonitoring.Persister", "LogMonitoring.Persister.PersisterOptions")),
            (LogLimits.SectionName, typeof(LogLimits)),
            (RetentionOptions.SectionName, typeof(RetentionOptions)),
        ],
        "stats" =>
        [
            ("Stats", ServiceAssemblies.Type("LogMonitoring.Stats", "LogMonitoring.Stats.StatsOptions")),
            (RetentionOptions.SectionName, typeof(RetentionOptions)),
        ],
        "explorer" => [("Explorer", ServiceAssemblies.Type("LogMonitoring.Explorer", "LogMonitoring.Explorer.ExplorerOptions"))],
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    /// <summary>The scalar options: each must be set. (Maps such as Retention:LevelDays are set key by key, if at all.)</summary>
    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true && !IsMap(p));

    private static IEnumerable<PropertyInfo> MapProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(IsMap);

    private static bool IsMap(PropertyInfo property) =>
        property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>);

    private static (string Host, int Port) SplitHostPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..]));
    }
}
