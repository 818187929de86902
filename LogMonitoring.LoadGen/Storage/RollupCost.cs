using System.Diagnostics;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.Storage.Sqlite;

namespace LogMonitoring.LoadGen.Storage;

public sealed record RollupCostSummary(string DataSource, long Stored, int NewPerCycle, int Cycles, double MeanCycleMilliseconds, double MedianCycleMilliseconds, double MaxCycleMilliseconds);

/// <summary>
/// What one rollup cycle costs with a given amount already stored: fills the embedded store, rolls it up,
/// then times cycles that each fold in the same number of new logs. Run it at two stored volumes to see
/// that the cost follows the new logs, not the stored ones.
/// </summary>
public sealed class RollupCost(string dataSource, int eventBytes)
{
    public async Task<RollupCostSummary> RunAsync(int stored, int newPerCycle, int cycles, CancellationToken cancellationToken)
    {
        var store = new SqliteLogStore($"Data Source={dataSource}") { MaxLogsPerCycle = 1_000_000 };
        await store.InitializeAsync(cancellationToken);
        var factory = new SyntheticEvents(eventBytes);
        var random = new Random(42);
        var now = DateTime.UtcNow;

        // Stored history spread over six hours, so every bucket size has many buckets.
        for (var written = 0; written < stored; written += 5000)
        {
            var batch = Enumerable.Range(0, Math.Min(5000, stored - written))
                .Select(_ => factory.NextAccepted(now - TimeSpan.FromSeconds(random.Next(6 * 3600))))
                .ToList();
            await store.WriteBatchAsync(batch, cancellationToken);
        }

        while (!(await store.RollUpAsync("rollup-cost", cancellationToken)).CaughtUp)
        {
        }

        var timings = new List<double>();
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            // New logs as they arrive under load: mostly this minute, some late.
            var fresh = Enumerable.Range(0, newPerCycle)
                .Select(i => factory.NextAccepted(i % 10 == 0 ? now - TimeSpan.FromSeconds(random.Next(3 * 3600)) : DateTime.UtcNow))
                .ToList();
            await store.WriteBatchAsync(fresh, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var result = await store.RollUpAsync("rollup-cost", cancellationToken);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (result.LogsCounted != newPerCycle)
            {
                throw new InvalidOperationException($"cycle {cycle} counted {result.LogsCounted} logs, not {newPerCycle}");
            }
        }

        timings.Sort();
        return new RollupCostSummary(dataSource, stored, newPerCycle, cycles,
            Math.Round(timings.Average(), 2), Math.Round(timings[timings.Count / 2], 2), Math.Round(timings[^1], 2));
    }
}
