using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;

namespace LogMonitoring.Stats.Rollups;

/// <summary>
/// Once per start, in the background: logs a MongoDB store holds from before it kept text-search fields
/// get them (<see cref="ITextBackfill"/>), so text search finds them too. Readiness does not wait for it:
/// on a large collection it is one long pass, and every log stored since the upgrade is searchable already.
/// </summary>
public sealed partial class TextBackfillWorker(
    ILogStore store,
    LogStoreInitializer storeInitializer,
    ILogger<TextBackfillWorker> logger) : BackgroundService
{
    private const int BatchSize = 1000;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not ITextBackfill backfill)
        {
            return;
        }

        await storeInitializer.WaitAsync(stoppingToken);
        while (true)
        {
            try
            {
                var filled = await backfill.BackfillTextAsync(BatchSize, stoppingToken);
                if (filled > 0)
                {
                    LogFilled(filled);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Filled documents are not looked at again, so starting over costs only the reading.
                LogFailed(ex, RetryDelay);
            }

            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Text search fields given to {Count} logs stored before the store kept them")]
    private partial void LogFilled(long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving older logs their text search fields failed; trying again in {Delay}")]
    private partial void LogFailed(Exception ex, TimeSpan delay);
}
