using System.CommandLine;
using LogMonitoring.LoadGen.Explorer;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen first-results</c>: how long the explorer takes to show the first logs of a link, next to the search API alone.</summary>
internal static class FirstResultsCommand
{
    public static Command Create()
    {
        var explorerUrl = new Option<string>("--explorer-url") { Description = "The explorer's base URL.", Required = true };
        var statsUrl = new Option<string>("--stats-url") { Description = "The stats service's base URL (the floor: the same first page from the search API).", Required = true };
        var chromium = new Option<string>("--chromium") { Description = "The chromium executable Playwright drives (never a downloaded browser).", DefaultValueFactory = _ => "/usr/bin/chromium" };
        var repeat = new Option<int>("--repeat") { Description = "Timed loads of each link (after two warm-up loads).", DefaultValueFactory = _ => 20 };
        var pageSize = new Option<int>("--page-size") { Description = "Logs per page, as the explorer asks (Explorer:PageSize).", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };

        var command = new Command("first-results", $"Open explorer links in chromium and time the first visible rows; sign in with {ApiKey.Variable}.")
        {
            explorerUrl, statsUrl, chromium, repeat, pageSize, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var key = Environment.GetEnvironmentVariable(ApiKey.Variable)
                ?? throw new InvalidOperationException($"Set {ApiKey.Variable} to a key with logs:read: the explorer asks for one.");
            var executable = parse.GetValue(chromium)!;
            if (!File.Exists(executable))
            {
                throw new InvalidOperationException($"No chromium at {executable} (apt-get install chromium, or --chromium PATH).");
            }

            void Progress(string line) => Console.Error.WriteLine($"== {DateTime.UtcNow:HH:mm:ss} {line}");
            var summary = await new FirstResultsBenchmark(new Uri(parse.GetValue(explorerUrl)!), new Uri(parse.GetValue(statsUrl)!), key, executable,
                parse.GetValue(repeat), parse.GetValue(pageSize)).RunAsync(Progress, cancellationToken);
            Output.Write(summary, parse.GetValue(json), summary.Cases.Select(c =>
                $"{c.Name,-16} first rows p50 {c.FirstRows.P50,7:N1} ms p95 {c.FirstRows.P95,7:N1} ms | histogram p50 {c.Histogram.P50,7:N1} ms | API p50 {c.Floor.P50,6:N1} ms p95 {c.Floor.P95,6:N1} ms | x{c.RatioP50}"));
            return 0;
        });
        return command;
    }
}
