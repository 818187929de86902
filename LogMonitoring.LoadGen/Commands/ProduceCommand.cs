using System.CommandLine;
using LogMonitoring.Contracts;
using LogMonitoring.LoadGen.Kafka;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen produce</c>: the plain-producer ceiling, or a backlog for the persister to drain.</summary>
internal static class ProduceCommand
{
    public static Command Create()
    {
        var bootstrap = new Option<string>("--bootstrap") { Description = "Kafka bootstrap servers.", Required = true };
        var topic = new Option<string>("--topic") { Description = "Topic to produce to.", DefaultValueFactory = _ => LogTopics.Logs };
        var events = new Option<long>("--events") { Description = "How many events to produce.", DefaultValueFactory = _ => 500_000 };
        var eventSize = new Option<int>("--event-size") { Description = "Approximate size of one event's JSON, in bytes.", DefaultValueFactory = _ => 300 };
        var linger = new Option<int>("--linger-ms") { Description = "librdkafka linger.ms (ingest uses 0).", DefaultValueFactory = _ => 0 };
        var compression = new Option<string>("--compression") { Description = "none, gzip, snappy, lz4 or zstd (ingest uses lz4).", DefaultValueFactory = _ => "lz4" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };

        var command = new Command("produce", "Produce events to Kafka with a plain Confluent.Kafka producer configured like ingest's.")
        {
            bootstrap, topic, events, eventSize, linger, compression, json,
        };
        command.SetAction(parse =>
        {
            var summary = new ProducerCeiling(parse.GetValue(bootstrap)!, parse.GetValue(topic)!, parse.GetValue(eventSize), parse.GetValue(linger), parse.GetValue(compression)!)
                .Run(parse.GetValue(events));
            Output.Write(summary, parse.GetValue(json),
                [$"produced {summary.Delivered:N0} of {summary.Events:N0} events to '{summary.Topic}' in {summary.DurationSeconds:0.00} s: {summary.DeliveredPerSecond:N0} ev/s, {summary.MegabytesPerSecond} MB/s ({summary.Failed} failed)"]);
            return summary.Failed > 0 ? 2 : 0;
        });
        return command;
    }
}
