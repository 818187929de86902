using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Rollups;

/// <summary>
/// Moves newly stored logs into a store's text index every <see cref="StatsOptions.TextIndexPeriod"/>, and
/// at once again while a cycle leaves some behind, in a store that indexes text behind its writes
/// (<see cref="ITextIndexer"/>: SQLite). Text search finds a log before it is indexed too, by checking it
/// directly; the index keeps that part small. Every stats replica may run one: the store makes them take turns.
/// While the persisters are behind it leaves them the write lock (<see cref="TextIndexYield"/>).
/// </summary>
public sealed partial class TextIndexWorker(
    ILogStore store,
    LogStoreInitializer storeInitializer,
    IOptions<StatsOptions> options,
    StatsMetrics metrics,
    TimeProvider time,
    ILogger<TextIndexWorker> logger) : BackgroundService
{
    private bool _yielding;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not ITextIndexer indexer)
        {
            return;
        }

        await storeInitializer.WaitAsync(stoppingToken);
        var yieldPolicy = TextIndexYield.From(options.Value);
        using var timer = new PeriodicTimer(options.Value.TextIndexPeriod);
        do
        {
            try
            {
                await IndexWhileDueAsync(indexer, yieldPolicy, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing is lost meanwhile: the logs not yet indexed are found by checking them one by one.
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Cycles back to back until the index has caught up, or the persisters need the lock more.</summary>
    private async Task IndexWhileDueAsync(ITextIndexer indexer, TextIndexYield yieldPolicy, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var backlog = await indexer.ReadTextBacklogAsync(stoppingToken);
            metrics.SetTextIndexBehind(backlog.LogsBehind);
            SetYielding(backlog.LogsBehind > 0 && yieldPolicy.ShouldYield(backlog, time.GetUtcNow().UtcDateTime), backlog);
            if (backlog.LogsBehind == 0 || _yielding)
            {
                return;
            }

            var cycle = await indexer.IndexTextAsync(stoppingToken);
            metrics.SetTextIndexBehind(cycle.LogsBehind);
            if (cycle.LogsIndexed > 0)
            {
                LogIndexed(cycle.LogsIndexed, cycle.CaughtUp);
            }

            if (cycle.CaughtUp)
            {
                return;
            }
        }
    }

    private void SetYielding(bool yielding, TextIndexBacklog backlog)
    {
        if (yielding == _yielding)
        {
            return;
        }

        _yielding = yielding;
        metrics.SetTextIndexYielding(yielding);
        if (yielding)
        {
            LogYielding(backlog.LogsBehind, backlog.NewestStoredAt - backlog.NewestReceivedAt ?? TimeSpan.Zero);
        }
        else
        {
            LogResumed(backlog.LogsBehind);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Text index: leaving the write lock to the persisters, which store logs {Delay} after ingest received them ({Behind} logs wait for the index)")]
    private partial void LogYielding(long behind, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Text index: indexing again ({Behind} logs wait for it)")]
    private partial void LogResumed(long behind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Text index: {Count} logs indexed (caught up: {CaughtUp})")]
    private partial void LogIndexed(long count, bool caughtUp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Text index cycle failed; the next cycle retries")]
    private partial void LogFailed(Exception ex);
}
