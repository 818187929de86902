using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.LoadGen.Commands;

/// <param name="Expected">The count waited for.</param>
/// <param name="Reached">The last count seen.</param>
/// <param name="WriteSeconds">From the first stored event seen to the last one.</param>
/// <param name="StoredPerSecond">Events stored per second over <paramref name="WriteSeconds"/>.</param>
public sealed record WaitStoredSummary(long Expected, long Reached, double WaitedSeconds, double WriteSeconds, double StoredPerSecond);

/// <summary>
/// <c>loadgen wait-stored</c>: polls the Stats API's count until it reaches a number, and reports the
/// rate at which it grew. With a backlog waiting in Kafka, that is the persisters' sustained write rate.
/// </summary>
internal static class WaitStoredCommand
{
    public static Command Create()
    {
        var statsUrl = new Option<string>("--stats-url") { Description = "Stats base URL.", Required = true };
        var expected = new Option<long>("--expected") { Description = "The stored count to wait for.", Required = true };
        var timeout = new Option<string>("--timeout") { Description = "Give up when the count has not moved for this long.", DefaultValueFactory = _ => "30s" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };
        var command = new Command("wait-stored", "Wait until the Stats API counts a number of stored logs, and report how fast they were written.")
        {
            statsUrl, expected, timeout, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            DurationText.TryParse(parse.GetValue(timeout), out var stall);
            using var http = ApiKey.Apply(new HttpClient { BaseAddress = new Uri(parse.GetValue(statsUrl)!), Timeout = TimeSpan.FromSeconds(30) });
            var target = parse.GetValue(expected);
            var started = Stopwatch.GetTimestamp();
            var progress = new StoredProgress();
            var lastChange = Stopwatch.GetTimestamp();
            while (true)
            {
                long count;
                try
                {
                    using var answer = JsonDocument.Parse(await http.GetStringAsync("/api/logs/count", cancellationToken));
                    count = answer.RootElement.GetProperty("count").GetInt64();
                }
                catch (HttpRequestException)
                {
                    count = progress.Last;
                }

                if (progress.Observe(Stopwatch.GetElapsedTime(started), count))
                {
                    lastChange = Stopwatch.GetTimestamp();
                }

                if (count >= target || Stopwatch.GetElapsedTime(lastChange) > stall)
                {
                    break;
                }

                await Task.Delay(100, cancellationToken);
            }

            var summary = new WaitStoredSummary(target, progress.Last, Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3),
                Math.Round(progress.GrowthTime.TotalSeconds, 3), Math.Round(progress.Rate, 1));
            Output.Write(summary, parse.GetValue(json),
                [$"stored {summary.Reached:N0} of {summary.Expected:N0}; {summary.StoredPerSecond:N0} ev/s over {summary.WriteSeconds:0.00} s of writing"]);
            return summary.Reached >= target ? 0 : 2;
        });
        return command;
    }
}
