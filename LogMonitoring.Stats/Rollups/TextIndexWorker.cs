using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Rollups;

/// <summary>
/// Moves newly stored logs into a store's text index every <see cref="StatsOptions.TextIndexPeriod"/>, and
/// at once again while a cycle leaves some behind, in a store that indexes text behind its writes
/// (<see cref="ITextIndexer"/>: SQLite). Text search finds a log before it is indexed too, by checking it
/// directly; the index keeps that part small. Every stats replica may run one: the store makes them take turns.
/// </summary>
public sealed partial class TextIndexWorker(
    ILogStore store,
    LogStoreInitializer storeInitializer,
    IOptions<StatsOptions> options,
    StatsMetrics metrics,
    ILogger<TextIndexWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not ITextIndexer indexer)
        {
            return;
        }

        await storeInitializer.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.TextIndexPeriod);
        do
        {
            try
            {
                TextIndexCycle cycle;
                do
                {
                    cycle = await indexer.IndexTextAsync(stoppingToken);
                    metrics.SetTextIndexBehind(cycle.LogsBehind);
                    if (cycle.LogsIndexed > 0)
                    {
                        LogIndexed(cycle.LogsIndexed, cycle.CaughtUp);
                    }
                }
                while (!cycle.CaughtUp && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is lost meanwhile: the logs not yet indexed are found by checking them one by one.
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Text index: {Count} logs indexed (caught up: {CaughtUp})")]
    private partial void LogIndexed(long count, bool caughtUp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Text index cycle failed; the next cycle retries")]
    private partial void LogFailed(Exception ex);
}
