using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LogMonitoring.ReliabilityTests.Infrastructure;

namespace LogMonitoring.ReliabilityTests;

/// <summary>A rolling update: every service is stopped with SIGTERM and started again, one at a time, under load.</summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class RollingRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_rolling_SIGTERM_restart_of_every_service_under_load_loses_nothing_acknowledged()
    {
        // Injected: SIGTERM, wait for a clean exit, start again - for two ingest replicas, two persister
        // replicas and stats in turn, while two senders keep posting to whichever ingest is up.
        const int partitions = 4;
        await using var system = new ProcessSystem(partitions);
        ServiceProcess[] ingests = [system.AddIngest(), system.AddIngest()];
        ServiceProcess[] persisters = [system.AddPersister(), system.AddPersister()];
        var stats = system.AddStats();
        ServiceProcess[] all = [.. ingests, .. persisters, stats];
        await Task.WhenAll(all.Select(s => s.StartHealthyAsync(Startup, Ct)));

        var load = new IngestLoad("rel-rolling", ingests);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = load.RunAsync(senders: 2, maxEvents: 200_000, stopLoad.Token);
        var restarts = new List<string>();
        foreach (var service in all)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            var exitCode = await service.TerminateAsync(TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, $"{service.Name} exited with {exitCode} after SIGTERM:\n{service.Tail()}");
            await service.StartHealthyAsync(Startup, Ct);
            restarts.Add(service.Name);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        await stopLoad.CancelAsync();
        await running;

        using var probe = system.Probe();
        await probe.WaitCaughtUpAsync(partitions, TimeSpan.FromSeconds(120), Ct);
        var stored = await system.StoredAsync(load.Service, Ct);
        var (lost, duplicated) = Delivery.AssertExactlyOnce(load, stored);

        // The restarted stats service sees exactly what the store holds.
        var counted = await stats.Client.GetFromJsonAsync<JsonElement>($"/api/logs/count?service={load.Service}", Ct);
        Assert.Equal(stored.Count, counted.GetProperty("count").GetInt64());
        Assert.All(all, s => Assert.Equal(2, s.Starts));
        foreach (var service in all)
        {
            Assert.Equal(HttpStatusCode.OK, (await service.HealthAsync(Ct)).Status);
        }

        FaultReport.Print("rolling SIGTERM restart", restarts.Count, load.Describe(), lost, duplicated,
            $"restarted {string.Join(", ", restarts)}; stored {stored.Count}, stats API count {counted.GetProperty("count").GetInt64()}");
    }
}
