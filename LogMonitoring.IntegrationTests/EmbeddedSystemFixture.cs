using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The whole system, started once from the real AppHost in embedded mode (librdkafka's mock cluster
/// in this process, a SQLite file in a temporary folder) and shared by the integration tests.
/// </summary>
public sealed class EmbeddedSystemFixture : IAsyncLifetime
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("logmon-it-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public HttpClient Ingest { get; private set; } = null!;

    public HttpClient Stats { get; private set; } = null!;

    public string KafkaBootstrap { get; private set; } = null!;

    public string DatabaseFile => Path.Combine(_dataPath, "logs.db");

    public async ValueTask InitializeAsync()
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogMonitoring_AppHost>(
            [
                // CI's containers job sets LOGMON_TEST_MODE=containers to run the same tests against real Kafka and MongoDB.
                $"--LogMonitoring:Mode={Environment.GetEnvironmentVariable("LOGMON_TEST_MODE") ?? "embedded"}",
                $"--LogMonitoring:DataPath={_dataPath}",
                "--DcpPublisher:RandomizePorts=true",
                // Prometheus would need the fixed port 9090; the monitoring tests scrape the services directly.
                "--LogMonitoring:Prometheus=false",
                "--DcpPublisher:WaitForResourceCleanup=false",
            ],
            startup.Token);
        // Keep the test output to what matters: warnings and errors from the system and its clients.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));
        builder.Services.ConfigureHttpClientDefaults(http => http.ConfigureHttpClient(c => c.Timeout = TimeSpan.FromMinutes(2)));

        App = await builder.BuildAsync(startup.Token);
        await App.StartAsync(startup.Token);
        foreach (var resource in new[] { "ingest", "persister", "stats" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
        }

        Ingest = App.CreateHttpClient("ingest");
        Stats = App.CreateHttpClient("stats");
        Ingest.DefaultRequestHeaders.Add("X-Api-Key", LogMonitoring.AppHost.ApiKeys.DevelopmentKey);
        Stats.DefaultRequestHeaders.Add("X-Api-Key", LogMonitoring.AppHost.ApiKeys.DevelopmentKey);
        KafkaBootstrap = (await App.GetConnectionStringAsync("kafka", startup.Token))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A service may still hold the file for a moment after stopping; the folder is temporary anyway.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddedSystemCollection : ICollectionFixture<EmbeddedSystemFixture>
{
    public const string Name = "Embedded system";
}
