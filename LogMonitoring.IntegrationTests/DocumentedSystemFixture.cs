using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The system the documented commands run against: the real AppHost in embedded mode with the traffic
/// simulator started, as a reader has it after the README's quickstart and simulator step.
/// </summary>
public sealed class DocumentedSystemFixture : IAsyncLifetime
{
    /// <summary>The documented local ports, and the resources that serve them.</summary>
    private static readonly (int Port, string Resource)[] s_documentedPorts = [(5100, "ingest"), (5200, "stats"), (5300, "persister"), (5400, "simulator")];

    private readonly string _dataPath = Directory.CreateTempSubdirectory("logmon-docs-").FullName;
    private readonly Dictionary<int, Uri> _ports = [];
    private DistributedApplication? _app;

    public async ValueTask InitializeAsync()
    {
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LogMonitoring_AppHost>(
            [
                "--LogMonitoring:Mode=embedded",
                $"--LogMonitoring:DataPath={_dataPath}",
                "--LogMonitoring:Simulator=true",
                "--LogMonitoring:Prometheus=false",
                "--DcpPublisher:RandomizePorts=true",
                "--DcpPublisher:WaitForResourceCleanup=false",
            ],
            startup.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));
        _app = await builder.BuildAsync(startup.Token);
        await _app.StartAsync(startup.Token);
        foreach (var (port, resource) in s_documentedPorts)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
            _ports[port] = _app.GetEndpoint(resource, "http");
        }

        await WaitForPersistersConsumingAsync(startup.Token);
    }

    /// <summary>
    /// A reader runs the commands with the simulator's logs already flowing: both persister replicas in the
    /// group with their partitions. Healthy comes earlier, so a few answers in a row (the endpoint alternates
    /// between the replicas) must show the per-partition lag the troubleshooting guide greps for.
    /// </summary>
    private async Task WaitForPersistersConsumingAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = _ports[5300] };
        var inARow = 0;
        while (inARow < 6)
        {
            var metrics = await http.GetStringAsync("/metrics", cancellationToken);
            inARow = metrics.Contains("\nlogmon_persister_consumer_lag{", StringComparison.Ordinal) ? inARow + 1 : 0;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>The block with each documented local address replaced by the test system's.</summary>
    public string Localize(string script)
    {
        foreach (var (port, uri) in _ports)
        {
            script = script.Replace($"localhost:{port}", $"{uri.Host}:{uri.Port}", StringComparison.Ordinal);
        }

        return script;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
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
