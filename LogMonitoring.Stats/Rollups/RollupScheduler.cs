using System.Diagnostics;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Statistics;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Rollups;

/// <summary>
/// Runs a rollup cycle every <see cref="StatsOptions.RollupPeriod"/>, and the next one at once while a cycle
/// leaves logs uncounted (a backlog, bounded per cycle by the store). Every stats replica runs one; the
/// store makes concurrent cycles safe (see <see cref="ILogStatistics"/>), so replicas need no coordination here.
/// </summary>
public sealed partial class RollupScheduler(
    ILogStatistics statistics,
    LogStoreInitializer storeInitializer,
    IOptions<StatsOptions> options,
    StatsMetrics metrics,
    ILogger<RollupScheduler> logger) : BackgroundService
{
    private readonly string _replica = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await storeInitializer.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.RollupPeriod);
        do
        {
            // A backlog larger than one cycle takes is worked off cycle after cycle, not one cycle per period.
            RollupCycleResult? result;
            do
            {
                result = await RunCycleAsync(stoppingToken);
            }
            while (result is { Ran: true, CaughtUp: false } && !stoppingToken.IsCancellationRequested);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<RollupCycleResult?> RunCycleAsync(CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await statistics.RollUpAsync(_replica, stoppingToken);
            if (result.Ran)
            {
                metrics.CycleCompleted(Stopwatch.GetElapsedTime(started));
                metrics.SetFreshnessLag(result.FreshnessLag);
                LogCycle(result.BucketsTouched, result.LogsCounted, result.CaughtUp, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCycleFailed(ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rollup cycle wrote {Buckets} minute buckets (new logs counted: {Logs}; caught up: {CaughtUp}) in {Milliseconds:F1} ms")]
    private partial void LogCycle(int buckets, long? logs, bool caughtUp, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollup cycle failed; the next cycle retries")]
    private partial void LogCycleFailed(Exception ex);
}
