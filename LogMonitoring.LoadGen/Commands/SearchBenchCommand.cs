using System.CommandLine;
using LogMonitoring.LoadGen.Search;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen search-bench</c>: a large generated store, and representative queries timed against hand-written SQL.</summary>
internal static class SearchBenchCommand
{
    public static Command Create()
    {
        var dataSource = new Option<string>("--data-source") { Description = "SQLite file: generated when --events is given, otherwise reused.", Required = true };
        var events = new Option<long>("--events") { Description = "Generate a new store with this many logs first (0: reuse the file)." };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs of each query (after two warm-up runs).", DefaultValueFactory = _ => 30 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };
        var generateOnly = new Option<bool>("--generate-only") { Description = "Generate the store and stop (the explorer's benchmark opens it through the stats service)." };

        var command = new Command("search-bench", "Time the query language on a large SQLite store, next to the same queries written by hand.")
        {
            dataSource, events, repeat, json, generateOnly,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(dataSource)!;
            var generate = parse.GetValue(events);
            void Progress(string line) => Console.Error.WriteLine($"== {DateTime.UtcNow:HH:mm:ss} {line}");
            var seconds = 0.0;
            if (generate > 0)
            {
                if (File.Exists(file))
                {
                    throw new InvalidOperationException($"{file} exists; give a new file to generate into.");
                }

                seconds = (await new SearchCorpusGenerator(file, new SearchCorpusShape()).WriteAsync(generate, DateTime.UtcNow, Progress, cancellationToken)).TotalSeconds;
            }

            if (parse.GetValue(generateOnly))
            {
                return 0;
            }

            var summary = await new SearchBenchmark(file, parse.GetValue(repeat)).RunAsync(seconds, Progress, cancellationToken);
            Output.Write(summary, parse.GetValue(json), summary.Queries.Select(q =>
                $"{q.Name,-20} ours p50 {q.Ours.P50,9:N2} ms p99 {q.Ours.P99,9:N2} ms | floor p50 {q.Floor.P50,9:N2} ms p99 {q.Floor.P99,9:N2} ms | {q.Results} rows")
                .Append($"{summary.Events:N0} logs, {summary.MegabytesPerMillion} MB per million ({summary.MegabytesPerMillionWithoutText} without the text index)"));
            return 0;
        });
        return command;
    }
}
