using System.CommandLine;
using LogMonitoring.LoadGen.Storage;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen store-fill</c>: the store's write rate stretch by stretch as a new file fills up.</summary>
internal static class StoreFillCommand
{
    public static Command Create()
    {
        var dataSource = new Option<string>("--data-source") { Description = "SQLite file to fill (use a new one: it is filled with test events).", Required = true };
        var events = new Option<long>("--events") { Description = "How many events to write in all.", DefaultValueFactory = _ => 10_000_000 };
        var segments = new Option<int>("--segments") { Description = "How many equal stretches to time on their own.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "Events per write (the persister's default is 5000).", DefaultValueFactory = _ => 5000 };
        var eventSize = new Option<int>("--event-size") { Description = "Approximate size of one event's JSON, in bytes.", DefaultValueFactory = _ => 300 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };

        var command = new Command("store-fill", "Fill a new SQLite store and time each stretch of the fill: does the write rate hold as the store grows?")
        {
            dataSource, events, segments, batch, eventSize, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(segments) < 1 || result.GetValue(events) < result.GetValue(segments))
            {
                result.AddError("--segments must be at least 1 and no more than --events.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var fill = new StoreFill(parse.GetValue(dataSource)!, parse.GetValue(eventSize), parse.GetValue(batch));
            var summary = await fill.RunAsync(parse.GetValue(events), parse.GetValue(segments),
                s => Console.Error.WriteLine($"rows {s.RowsBefore:N0}-{s.RowsAfter:N0}: {s.InsertedPerSecond:N0} ev/s, {s.CpuMicrosecondsPerEvent} CPU µs/event"),
                cancellationToken);
            Output.Write(summary, parse.GetValue(json),
                [$"filled {summary.Events:N0} events: last stretch / first {summary.LastOverFirst:P0}, slowest / fastest {summary.SlowestOverFastest:P0}, {summary.FileBytes / 1048576.0:N0} MiB on disk"]);
            return 0;
        });
        return command;
    }
}
