using LogMonitoring.Storage;
using LogMonitoring.Storage.Statistics;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Rollups;

/// <summary>
/// Deletes raw logs and statistics past their retention, every <see cref="StatsOptions.RetentionPeriod"/>, in a
/// store that deletes them in passes (<see cref="ILogRetention"/>); MongoDB expires them itself with TTL indexes.
/// </summary>
public sealed partial class RetentionWorker(
    ILogStore store,
    LogStoreInitializer storeInitializer,
    IOptions<StatsOptions> options,
    IOptions<RetentionOptions> retention,
    TimeProvider time,
    ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not ILogRetention expiring)
        {
            LogExpiredByStore();
            return;
        }

        await storeInitializer.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.RetentionPeriod);
        do
        {
            try
            {
                var result = await expiring.ApplyRetentionAsync(retention.Value, time.GetUtcNow().UtcDateTime, stoppingToken);
                if (result.LogsDeleted + result.BucketsDeleted > 0)
                {
                    LogDeleted(result.LogsDeleted, result.BucketsDeleted);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Logs} logs and {Buckets} statistics buckets")]
    private partial void LogDeleted(long logs, long buckets);

    [LoggerMessage(Level = LogLevel.Information, Message = "The log store expires logs and statistics itself (TTL indexes); no retention passes run here")]
    private partial void LogExpiredByStore();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed; the next pass retries")]
    private partial void LogFailed(Exception ex);
}
