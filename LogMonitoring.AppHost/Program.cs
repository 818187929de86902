using LogMonitoring.AppHost;
using LogMonitoring.AppHost.BackingServices;

var builder = DistributedApplication.CreateBuilder(args);

// Kafka and the log store: containers, embedded stand-ins, or an existing cluster (LogMonitoring:Mode).
var backing = builder.AddBackingServices();

// Development API key for local runs (header X-Api-Key); override with user secrets: Parameters:api-key.
var apiKey = builder.AddParameter("api-key", ApiKeys.DevelopmentKey, publishValueAsDefault: false, secret: true);

var ingest = builder.AddProject<Projects.LogMonitoring_Ingest>("ingest")
    .WithApiKey(apiKey)
    .WithReference(backing.Kafka)
    .WaitForBackingServices(backing)
    .WithHttpHealthCheck("/health");

var persister = builder.AddProject<Projects.LogMonitoring_Persister>("persister")
    .WithReplicas(2)
    .WithReference(backing.Kafka)
    .WithReference(backing.LogStore)
    .WaitForBackingServices(backing)
    .WithHttpHealthCheck("/health");

var stats = builder.AddProject<Projects.LogMonitoring_Stats>("stats")
    .WithApiKey(apiKey)
    .WithReference(backing.LogStore)
    .WaitForBackingServices(backing)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
