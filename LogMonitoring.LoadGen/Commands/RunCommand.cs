using System.CommandLine;
using LogMonitoring.LoadGen.Generation;
using LogMonitoring.LoadGen.Measurement;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen run</c>: sends log events to the ingest API and reports rate, latency and freshness.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Ingest base URL.", DefaultValueFactory = _ => "http://localhost:5100" };
        var statsUrl = new Option<string?>("--stats-url") { Description = "Stats base URL: enables freshness probes and --verify-stored." };
        var mode = new Option<LoadMode>("--mode") { Description = "rate: open loop at --rate events/s; max: as fast as the answers come.", DefaultValueFactory = _ => LoadMode.Rate };
        var rate = new Option<double>("--rate") { Description = "Events per second offered in rate mode.", DefaultValueFactory = _ => 10_000 };
        var batch = new Option<int>("--batch-size") { Description = "Events per request (ignored by --format single).", DefaultValueFactory = _ => 500 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at most.", DefaultValueFactory = _ => 16 };
        var duration = new Option<string>("--duration") { Description = "How long to send: 30s, 2m, 500ms.", DefaultValueFactory = _ => "30s" };
        var eventSize = new Option<int>("--event-size") { Description = "Approximate size of one event's JSON, in bytes.", DefaultValueFactory = _ => 300 };
        var format = new Option<BodyFormat>("--format") { Description = "ndjson, json (an array) or single (one event per request).", DefaultValueFactory = _ => BodyFormat.Ndjson };
        var probeInterval = new Option<string>("--probe-interval") { Description = "Time between freshness probes; 0 turns them off.", DefaultValueFactory = _ => "500ms" };
        var verify = new Option<bool>("--verify-stored") { Description = "Afterwards, wait until the Stats API counts every accepted event and report any missing." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout (progress and text go to stderr)." };
        var quiet = new Option<bool>("--quiet") { Description = "No live progress line." };
        var http2 = new Option<bool>("--http2") { Description = "Send to ingest over HTTP/2 without TLS (prior knowledge): the endpoint must speak HTTP/2 only." };

        var command = new Command("run", "Send log events to the ingest API at a constant rate or as fast as possible.")
        {
            url, statsUrl, mode, rate, batch, concurrency, duration, eventSize, format, probeInterval, verify, json, quiet, http2,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!DurationText.TryParse(parse.GetValue(duration), out var runFor) || !DurationText.TryParse(parse.GetValue(probeInterval), out var probeEvery))
            {
                return Usage("--duration and --probe-interval take a duration such as 30s, 2m or 500ms.");
            }

            if (parse.GetValue(rate) <= 0 || parse.GetValue(batch) < 1 || parse.GetValue(concurrency) < 1 || parse.GetValue(eventSize) < 1)
            {
                return Usage("--rate, --batch-size, --concurrency and --event-size must be positive.");
            }

            if (parse.GetValue(verify) && parse.GetValue(statsUrl) is null)
            {
                return Usage("--verify-stored needs --stats-url.");
            }

            var options = new IngestLoadOptions
            {
                IngestUrl = new Uri(parse.GetValue(url)!),
                StatsUrl = parse.GetValue(statsUrl) is { } stats ? new Uri(stats) : null,
                Mode = parse.GetValue(mode),
                Rate = parse.GetValue(rate),
                BatchSize = parse.GetValue(batch),
                Concurrency = parse.GetValue(concurrency),
                Duration = runFor,
                EventBytes = parse.GetValue(eventSize),
                Format = parse.GetValue(format),
                ProbeInterval = probeEvery,
                VerifyStored = parse.GetValue(verify),
                Quiet = parse.GetValue(quiet),
                Http2 = parse.GetValue(http2),
            };
            var summary = await new IngestLoad(options).RunAsync(cancellationToken);
            Output.Write(summary, parse.GetValue(json), summary.Describe());
            return summary.Stored is { Missing: > 0 } ? 2 : 0;
        });
        return command;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine(message);
        return 64;
    }
}
