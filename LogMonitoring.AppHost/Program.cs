using Microsoft.Extensions.Configuration;
using LogMonitoring.AppHost;
using LogMonitoring.AppHost.BackingServices;
using LogMonitoring.AppHost.Monitoring;

var builder = DistributedApplication.CreateBuilder(args);

// Kafka and the log store: containers, embedded stand-ins, or an existing cluster (LogMonitoring:Mode).
var backing = builder.AddBackingServices();

// Development API key for local runs (header X-Api-Key); override with user secrets: Parameters:api-key.
var apiKey = builder.AddParameter("api-key", ApiKeys.DevelopmentKey, publishValueAsDefault: false, secret: true);

var ingest = builder.AddProject<Projects.LogMonitoring_Ingest>("ingest")
    .WithApiKey(apiKey)
    .WithReference(backing.Kafka)
    .WithBrokerRetention(backing)
    .WaitForBackingServices(backing)
    .WithHttpHealthCheck("/health");

var persister = builder.AddProject<Projects.LogMonitoring_Persister>("persister")
    .WithReplicas(2)
    .WithReference(backing.Kafka)
    .WithReference(backing.LogStore)
    .WaitForBackingServices(backing)
    .WithHttpHealthCheck("/health");

// Ingest answers once the persisters run, so what a user sends first is stored soon rather than after their start-up.
ingest.WaitFor(persister);

var stats = builder.AddProject<Projects.LogMonitoring_Stats>("stats")
    .WithApiKey(apiKey)
    .WithReference(backing.LogStore)
    .WaitForBackingServices(backing)
    .WithHttpHealthCheck("/health");

// The log explorer (search, histogram, live tail, services) in the browser; it calls the stats API with the user's own key.
var explorer = builder.AddProject<Projects.LogMonitoring_Explorer>("explorer")
    .WithReference(stats.GetEndpoint("http"))
    .WaitFor(stats)
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => url.DisplayText = "Log explorer");

// Simulated api/auth/payment traffic through the real ingest API, for local runs only (never deployed);
// started from the dashboard, or at once with LogMonitoring:Simulator=true.
if (!builder.ExecutionContext.IsPublishMode)
{
    var simulator = builder.AddProject<Projects.LogMonitoring_Simulator>("simulator")
        .WithReference(ingest)
        .WithEnvironment("Simulator__ApiKey", apiKey)
        .WaitFor(ingest)
        .WithHttpHealthCheck("/health");
    if (!builder.Configuration.GetValue<bool>("LogMonitoring:Simulator"))
    {
        simulator.WithExplicitStart();
    }
}

// Kafka UI on http://localhost:8088 in containers mode: the topic, its partitions and the persisters' lag.
builder.AddKafkaUi(backing);

// Prometheus, Alertmanager (and Grafana in containers mode), configured from deploy/prometheus,
// deploy/alertmanager and grafana/. The explorer's services page shows the pipeline's health from
// Prometheus, when this run has one.
if (builder.AddMonitoring(backing, apiKey, ingest, persister, stats) is { } prometheusUrl)
{
    explorer.WithEnvironment("Explorer__PrometheusUrl", prometheusUrl.ToString());
}

builder.Build().Run();
