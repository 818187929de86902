using System.CommandLine;
using LogMonitoring.LoadGen.Storage;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen store</c>: the embedded store's bulk-insert ceiling and its text index's cycles, or with <c>--floor</c> the same rows written with SQLite's own API.</summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        var dataSource = new Option<string>("--data-source") { Description = "SQLite file to write (use a new one: it is filled with test events).", Required = true };
        var events = new Option<int>("--events") { Description = "How many events to insert.", DefaultValueFactory = _ => 200_000 };
        var batch = new Option<int>("--batch-size") { Description = "Events per write (the persister's default is 5000).", DefaultValueFactory = _ => 5000 };
        var eventSize = new Option<int>("--event-size") { Description = "Approximate size of one event's JSON, in bytes.", DefaultValueFactory = _ => 300 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };
        var textBatch = new Option<int?>("--text-index-batch") { Description = "Logs per text index cycle after the writes (the store's default when not given)." };
        var floor = new Option<bool>("--floor") { Description = "Write the rows with SQLite's own API (prepared statement, one transaction per batch) into the same schema: the floor under the store." };

        var command = new Command("store", "Bulk-insert events straight into the SQLite store, with nothing in front of it.")
        {
            dataSource, events, batch, eventSize, json, floor, textBatch,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (path, size, batchSize, count) = (parse.GetValue(dataSource)!, parse.GetValue(eventSize), parse.GetValue(batch), parse.GetValue(events));
            var summary = parse.GetValue(floor)
                ? await new StoreFloor(path, size, batchSize).RunAsync(count, cancellationToken)
                : await new StoreCeiling(path, size, batchSize, parse.GetValue(textBatch)).RunAsync(count, cancellationToken);
            var lines = new List<string> { $"inserted {summary.Inserted:N0} events in batches of {summary.BatchSize:N0} in {summary.DurationSeconds:0.00} s: {summary.InsertedPerSecond:N0} ev/s, {summary.CpuMicrosecondsPerEvent} CPU µs/event" };
            if (summary.TextIndex is { } text)
            {
                lines.Add($"text index: {text.Indexed:N0} logs in {text.Cycles} cycles of up to {text.BatchSize:N0} in {text.DurationSeconds:0.00} s: {text.IndexedPerSecond:N0} logs/s, {text.CpuMicrosecondsPerEvent} CPU µs/log");
            }

            Output.Write(summary, parse.GetValue(json), lines);
            return 0;
        });
        return command;
    }
}
