using System.CommandLine;
using LogMonitoring.LoadGen.Storage;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen rollup-cost</c>: the time of one rollup cycle at a given stored volume.</summary>
internal static class RollupCostCommand
{
    public static Command Create()
    {
        var dataSource = new Option<string>("--data-source") { Description = "SQLite file to fill (use a new one).", Required = true };
        var stored = new Option<int>("--stored") { Description = "Logs stored before the timed cycles.", DefaultValueFactory = _ => 100_000 };
        var fresh = new Option<int>("--new") { Description = "New logs folded in by each timed cycle.", DefaultValueFactory = _ => 2_000 };
        var cycles = new Option<int>("--cycles") { Description = "Timed cycles.", DefaultValueFactory = _ => 20 };
        var eventSize = new Option<int>("--event-size") { Description = "Approximate size of one event's JSON, in bytes.", DefaultValueFactory = _ => 300 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };

        var command = new Command("rollup-cost", "Time rollup cycles of the embedded store with a given amount already stored.")
        {
            dataSource, stored, fresh, cycles, eventSize, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var summary = await new RollupCost(parse.GetValue(dataSource)!, parse.GetValue(eventSize))
                .RunAsync(parse.GetValue(stored), parse.GetValue(fresh), parse.GetValue(cycles), cancellationToken);
            Output.Write(summary, parse.GetValue(json),
                [$"{summary.Stored:N0} stored, {summary.NewPerCycle:N0} new per cycle: mean {summary.MeanCycleMilliseconds} ms, median {summary.MedianCycleMilliseconds} ms, max {summary.MaxCycleMilliseconds} ms per cycle; a writer waited for the write lock at most: mean {summary.MeanWriterWaitMilliseconds} ms, median {summary.MedianWriterWaitMilliseconds} ms, max {summary.MaxWriterWaitMilliseconds} ms per cycle ({summary.Cycles} cycles)"]);
            return 0;
        });
        return command;
    }
}
