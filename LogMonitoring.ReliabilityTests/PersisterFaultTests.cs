using System.Diagnostics;
using System.Net;
using LogMonitoring.ReliabilityTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.ReliabilityTests;

/// <summary>Faults on the write side: a persister replica dies, or the store stops taking writes.</summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class PersisterFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_persister_killed_mid_batch_loses_and_duplicates_nothing()
    {
        // Injected: SIGKILL of each of two persister replicas in turn, at a moment it holds consumed
        // but uncommitted events, while ingest takes load; each is restarted after the other took over.
        const int partitions = 4;
        await using var system = new ProcessSystem(partitions);
        var ingest = system.AddIngest();
        // A longer batch wait keeps an uncommitted batch in hand most of the time: the kill lands mid-batch.
        var slowBatches = new Dictionary<string, string> { ["Persister__BatchWait"] = "00:00:01" };
        ServiceProcess[] persisters = [system.AddPersister(slowBatches), system.AddPersister(slowBatches)];
        await Task.WhenAll(persisters.Select(p => p.StartHealthyAsync(Startup, Ct)).Append(ingest.StartHealthyAsync(Startup, Ct)));

        var load = new IngestLoad("rel-sigkill", [ingest]);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = load.RunAsync(senders: 2, maxEvents: 300_000, stopLoad.Token, pause: TimeSpan.FromMilliseconds(20));
        var kills = 0;
        var heldAtKill = new List<double>();
        foreach (var victim in persisters)
        {
            heldAtKill.Add(await WaitHoldingUncommittedAsync(victim, TimeSpan.FromSeconds(30)));
            await victim.KillAsync();
            kills++;
            // The survivor takes over the victim's partitions once the group notices (session timeout).
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            await victim.StartHealthyAsync(Startup, Ct);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        await stopLoad.CancelAsync();
        await running;

        using var probe = system.Probe();
        await probe.WaitCaughtUpAsync(partitions, TimeSpan.FromSeconds(120), Ct);
        var stored = await system.StoredAsync(load.Service, Ct);
        var (lost, duplicated) = Delivery.AssertExactlyOnce(load, stored);
        Assert.Equal(load.Acknowledged.Count, stored.Count);
        // While a victim's partitions wait for the survivor, their backlog may approach what the mock broker keeps:
        // ingest then answers 429 with Retry-After (nothing produced), and nothing else is refused.
        Assert.Equal(load.Refused, load.Statuses.GetValueOrDefault((int)HttpStatusCode.TooManyRequests));
        Assert.Equal(0, load.RefusedWithoutRetryAfter);
        var redelivered = 0.0;
        foreach (var persister in persisters)
        {
            redelivered += await persister.MetricAsync("logmon_persister_events_duplicate_total", Ct);
        }

        FaultReport.Print("SIGKILL of a persister replica mid-batch", kills, load.Describe(), lost, duplicated,
            $"uncommitted events held at each kill: {string.Join(", ", heldAtKill)}; stored {stored.Count}; {redelivered} redelivered events found already stored after the restarts");
    }

    /// <summary>Waits until the persister has consumed events it has not yet written; returns how many.</summary>
    private static async Task<double> WaitHoldingUncommittedAsync(ServiceProcess persister, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var metrics = await persister.Client.GetStringAsync("/metrics", Ct);
            var held = PrometheusText.Sum(metrics, "logmon_persister_events_consumed_total")
                - PrometheusText.Sum(metrics, "logmon_persister_events_written_total")
                - PrometheusText.Sum(metrics, "logmon_persister_events_duplicate_total")
                - PrometheusText.Sum(metrics, "logmon_persister_events_dead_lettered_total");
            if (held > 0)
            {
                return held;
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException($"{persister.Name} never held an uncommitted batch");
    }

    [Fact]
    public async Task A_locked_store_stops_commits_turns_readiness_red_and_every_event_arrives_once_it_is_back()
    {
        // Injected: the test holds SQLite's write lock (BEGIN EXCLUSIVE) for several seconds while ingest
        // takes events. A read-only folder would not do: CI runs as root, which ignores file permissions.
        const int partitions = 4;
        await using var system = new ProcessSystem(partitions, storeTimeoutSeconds: 1);
        var ingest = system.AddIngest();
        var persister = system.AddPersister();
        await Task.WhenAll(ingest.StartHealthyAsync(Startup, Ct), persister.StartHealthyAsync(Startup, Ct));
        using var probe = system.Probe();

        var load = new IngestLoad("rel-store", [ingest]);
        await load.RunAsync(senders: 1, maxEvents: 500, Ct);
        await probe.WaitCaughtUpAsync(partitions, TimeSpan.FromSeconds(60), Ct);

        HttpStatusCode healthWhileLocked;
        long[] committedWhenLocked, committedLater;
        long producedWhenLocked;
        double storeErrors;
        await using (var blocker = new SqliteConnection($"Data Source={system.DatabaseFile};Pooling=false"))
        {
            await blocker.OpenAsync(Ct);
            await using (var exclusive = blocker.CreateCommand())
            {
                exclusive.CommandText = "BEGIN EXCLUSIVE";
                await exclusive.ExecuteNonQueryAsync(Ct);
            }

            await load.RunAsync(senders: 1, maxEvents: 2_000, Ct);
            healthWhileLocked = await persister.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), Ct);
            committedWhenLocked = probe.Committed(partitions);
            producedWhenLocked = Enumerable.Range(0, partitions).Sum(p => probe.Watermarks(p).High.Value);
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            committedLater = probe.Committed(partitions);
            storeErrors = await persister.MetricAsync("logmon_persister_store_errors_total", Ct);

            await using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync(Ct);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthWhileLocked);
        Assert.Equal(committedWhenLocked, committedLater);
        Assert.True(committedLater.Sum() < producedWhenLocked, $"committed {committedLater.Sum()} of {producedWhenLocked} while nothing could be written");
        Assert.True(storeErrors >= 2, $"expected retried writes, saw {storeErrors} store errors");

        await probe.WaitCaughtUpAsync(partitions, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(HttpStatusCode.OK, await persister.WaitForHealthAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30), Ct));
        var stored = await system.StoredAsync(load.Service, Ct);
        var (lost, duplicated) = Delivery.AssertExactlyOnce(load, stored);
        Assert.Equal(load.Acknowledged.Count, stored.Count);
        FaultReport.Print("store write lock held (SQLite BEGIN EXCLUSIVE)", 1, load.Describe(), lost, duplicated,
            $"{storeErrors} failed writes retried; commits frozen at {committedLater.Sum()} while locked; readiness 503 then 200");
    }
}
