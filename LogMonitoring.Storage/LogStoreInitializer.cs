using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LogMonitoring.Storage;

/// <summary>
/// Creates the store's schema and indexes at start-up, retrying while the store is unreachable, so a
/// service can start before its database; readiness reports "not ready" until this has succeeded.
/// </summary>
public sealed partial class LogStoreInitializer(ILogStore store, ILogger<LogStoreInitializer> logger) : BackgroundService
{
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsInitialized => _initialized.Task.IsCompletedSuccessfully;

    public string? LastError { get; private set; }

    /// <summary>Completes once the schema exists; background services that use the store wait for it.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _initialized.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.InitializeAsync(stoppingToken);
                LastError = null;
                LogInitialized(store.Kind);
                _initialized.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LastError = ex.Message;
                LogInitializationFailed(ex, store.Kind, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Log store ({Kind}) schema and indexes are ready")]
    private partial void LogInitialized(string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log store ({Kind}) could not be initialized; retrying in {Delay}")]
    private partial void LogInitializationFailed(Exception ex, string kind, TimeSpan delay);
}
