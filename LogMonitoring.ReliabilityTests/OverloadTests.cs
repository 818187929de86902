using System.Net;
using LogMonitoring.ReliabilityTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.ReliabilityTests;

/// <summary>More is offered than the persisters drain: ingest must slow the senders down before the broker's retention deletes what it accepted.</summary>
[Collection(FaultInjectionCollection.Name)]
public sealed class OverloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Offered_load_above_the_drain_rate_for_a_minute_gets_429_and_every_accepted_log_is_stored()
    {
        // Injected: for a minute the persister can write only a third of the time: the test holds SQLite's write lock
        // (BEGIN EXCLUSIVE) 10 s of every 15 s, so whatever this machine's speed the drain rate stays below what four
        // senders offer. Their events carry random text that does not compress, so the mock broker's ~5 MiB per
        // partition fills within seconds of each stall, and would be deleted unread without the gate.
        const int partitions = 2;
        var stall = TimeSpan.FromSeconds(10);
        var free = TimeSpan.FromSeconds(5);
        await using var system = new ProcessSystem(partitions, storeTimeoutSeconds: 1);
        var ingest = system.AddIngest(new Dictionary<string, string>
        {
            ["Ingest__RetryAfterSeconds"] = "1",
        });
        var persister = system.AddPersister();
        await Task.WhenAll(ingest.StartHealthyAsync(Startup, Ct), persister.StartHealthyAsync(Startup, Ct));
        using var probe = system.Probe();

        var load = new IngestLoad("rel-overload", [ingest], batchSize: 50, padding: 600);
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var running = load.RunAsync(senders: 4, maxEvents: long.MaxValue, stopLoad.Token, pause: TimeSpan.FromMilliseconds(5));
        var stalls = 0;
        await using (var blocker = new SqliteConnection($"Data Source={system.DatabaseFile};Pooling=false"))
        {
            await blocker.OpenAsync(Ct);
            while (!stopLoad.IsCancellationRequested)
            {
                await ExecuteAsync(blocker, "BEGIN EXCLUSIVE");
                stalls++;
                await Delay(stall, stopLoad.Token);
                await ExecuteAsync(blocker, "ROLLBACK");
                await Delay(free, stopLoad.Token);
            }
        }

        await running;
        await probe.WaitCaughtUpAsync(partitions, TimeSpan.FromSeconds(180), Ct);
        var stored = await system.StoredAsync(load.Service, Ct);
        var deletedUnread = await persister.MetricAsync("logmon_persister_events_lost_total", Ct);
        var refusedForLag = await ingest.MetricAsync("logmon_ingest_events_rejected_total", Ct, "reason=\"consumer_lag\"");

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{load.Describe()}; stored {stored.Count}; persister lost metric {deletedUnread}; refused for lag {refusedForLag}");
        output?.WriteLine(persister.Tail(10));
        output?.WriteLine(ingest.Tail(10));

        var (lost, duplicated) = Delivery.AssertExactlyOnce(load, stored);
        Assert.True(deletedUnread == 0, $"the persister found {deletedUnread} events deleted before it read them ({load.Describe()})");
        Assert.True(load.Statuses.GetValueOrDefault((int)HttpStatusCode.TooManyRequests) > 0, $"nothing was refused: {load.Describe()}");
        Assert.Equal(0, load.RefusedWithoutRetryAfter);
        Assert.True(refusedForLag > 0, $"no request was refused for the persisters' lag: {load.Describe()}");
        Assert.Contains(ingest.Output, line => line.Contains("What the broker retains of a partition", StringComparison.Ordinal));
        FaultReport.Print("offered load above the drain rate for a minute (store writable a third of the time)", stalls, load.Describe(), lost, duplicated,
            $"stored {stored.Count}; {deletedUnread} deleted unread by retention; {refusedForLag} events refused for the persisters' lag (429 with Retry-After)");
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The minute is over: the lock is released at once.
        }
    }
}
