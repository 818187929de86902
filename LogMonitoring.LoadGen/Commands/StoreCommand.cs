using System.CommandLine;
using LogMonitoring.LoadGen.Storage;
using MongoDB.Driver;

namespace LogMonitoring.LoadGen.Commands;

/// <summary>
/// <c>loadgen store</c>: a store's bulk-insert ceiling (the embedded SQLite file and its text index's cycles, or with
/// <c>--connection</c> any store a connection string names, MongoDB included), or with <c>--floor</c> the same rows
/// written with SQLite's own API.
/// </summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        var dataSource = new Option<string>("--data-source") { Description = "SQLite file to write (use a new one: it is filled with test events)." };
        var connection = new Option<string>("--connection")
        {
            Description = "Instead of --data-source: a store connection string as ConnectionStrings__logstore takes it, e.g. mongodb://HOST:27017/logmon_bench (a new database: it is filled with test events; driver options such as compressors=snappy apply).",
        };
        var events = new Option<int>("--events") { Description = "How many events to insert.", DefaultValueFactory = _ => 200_000 };
        var batch = new Option<int>("--batch-size") { Description = "Events per write (the persister's default is 5000).", DefaultValueFactory = _ => 5000 };
        var writers = new Option<int>("--writers") { Description = "Batches written at once, each by its own writer (persister replicas write in parallel; SQLite takes one writer at a time).", DefaultValueFactory = _ => 1 };
        var eventSize = new Option<int>("--event-size") { Description = "Approximate size of one event's JSON, in bytes.", DefaultValueFactory = _ => 300 };
        var drop = new Option<bool>("--drop") { Description = "Remove what was written afterwards: the MongoDB database or the SQLite file." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };
        var textBatch = new Option<int?>("--text-index-batch") { Description = "SQLite: logs per text index cycle after the writes (the store's default when not given)." };
        var floor = new Option<bool>("--floor") { Description = "Write the rows with SQLite's own API (prepared statement, one transaction per batch) into the same schema: the floor under the store." };

        var command = new Command("store", "Bulk-insert events straight into a log store, with nothing in front of it.")
        {
            dataSource, connection, events, batch, writers, eventSize, drop, json, floor, textBatch,
        };
        command.Validators.Add(result =>
        {
            var (file, store) = (result.GetValue(dataSource), result.GetValue(connection));
            if (string.IsNullOrWhiteSpace(file) == string.IsNullOrWhiteSpace(store))
            {
                result.AddError("Give either --data-source (an SQLite file) or --connection (a store connection string).");
            }
            else if (result.GetValue(floor) && file is null)
            {
                result.AddError("--floor writes with SQLite's own API: give --data-source.");
            }
            else if (store is not null && store.StartsWith("mongodb", StringComparison.OrdinalIgnoreCase) && MongoUrl.Create(store).DatabaseName is null)
            {
                // Without one the store would write into the services' default database, logmonitoring.
                result.AddError("Name a new database in the --connection string, e.g. mongodb://HOST:27017/logmon_bench.");
            }
        });
        writers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--writers must be at least 1.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (size, batchSize, count) = (parse.GetValue(eventSize), parse.GetValue(batch), parse.GetValue(events));
            var path = parse.GetValue(dataSource);
            StoreCeilingSummary summary;
            try
            {
                summary = parse.GetValue(floor)
                    ? await new StoreFloor(path!, size, batchSize).RunAsync(count, cancellationToken)
                    : await new StoreCeiling(path is null ? parse.GetValue(connection)! : $"Data Source={path}", size, batchSize, parse.GetValue(writers), parse.GetValue(textBatch))
                        .RunAsync(count, cancellationToken);
            }
            catch (StoreNotEmptyException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }

            if (parse.GetValue(drop))
            {
                await StoreCeiling.DropAsync(path is null ? parse.GetValue(connection)! : $"Data Source={path}", cancellationToken);
            }

            var lines = new List<string>
            {
                $"{summary.Store}: inserted {summary.Inserted:N0} events in batches of {summary.BatchSize:N0} ({summary.Writers} at once) in {summary.DurationSeconds:0.00} s: " +
                $"{summary.InsertedPerSecond:N0} ev/s, {summary.CpuMicrosecondsPerEvent} CPU µs/event in this process",
            };
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
