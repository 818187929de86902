using System.Diagnostics;
using LogMonitoring.Simulator.Patterns;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Simulator.Traffic;

/// <summary>
/// Runs one simulated service: every send interval it produces the lines its rate calls for, spread
/// over its instances, and posts them to ingest as one NDJSON request. The rate and the incident are
/// read on every tick, so configuration changes and the incidents API take effect at once.
/// </summary>
public sealed partial class SimulatedServiceWorker(
    SimulatedService service,
    IOptionsMonitor<SimulatorOptions> options,
    IncidentSwitch incidents,
    IngestSender sender,
    SimulatorMetrics metrics,
    TimeProvider time,
    ILogger<SimulatedServiceWorker> logger) : BackgroundService
{
    private readonly Random _random = new();
    private readonly RatePacer _pacer = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(service.Name, options.CurrentValue.For(service.Name).RatePerSecond);
        var last = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            try
            {
                await Task.Delay(settings.SendInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            var serviceOptions = settings.For(service.Name);
            var due = serviceOptions.Enabled ? _pacer.Take(serviceOptions.RatePerSecond, Stopwatch.GetElapsedTime(last, now)) : 0;
            last = now;
            while (due > 0 && !stoppingToken.IsCancellationRequested)
            {
                var count = Math.Min(due, settings.MaxBatchEvents);
                due -= count;
                await SendAsync(count, settings.InstancesPerService, stoppingToken);
            }
        }
    }

    private async Task SendAsync(int count, int instances, CancellationToken stoppingToken)
    {
        var errorRate = incidents.ErrorRateFor(service.Name);
        var timestamp = time.GetUtcNow();
        var lines = new List<(SimulatedLog, string, string, DateTimeOffset)>(count);
        for (var i = 0; i < count; i++)
        {
            var host = $"{service.Name}-{_random.Next(instances) + 1}";
            lines.Add((service.Next(_random, errorRate), service.Name, host, timestamp));
        }

        try
        {
            var (accepted, status) = await sender.SendAsync(NdjsonBatch.Write(lines), stoppingToken);
            if (accepted)
            {
                metrics.Sent(service.Name, count);
            }
            else
            {
                metrics.Failed(service.Name, count);
                LogRefused(service.Name, count, status);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException)
        {
            // A simulator keeps going: the lines are dropped and counted, like a client that gave up.
            metrics.Failed(service.Name, count);
            LogSendFailed(service.Name, count, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulating {Service} at {Rate} lines/s")]
    private partial void LogStarted(string service, double rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest refused {Count} {Service} lines with {Status}")]
    private partial void LogRefused(string service, int count, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send {Count} {Service} lines: {Reason}")]
    private partial void LogSendFailed(string service, int count, string reason);
}
