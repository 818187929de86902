using System.CommandLine;
using LogMonitoring.Kafka.Mock;

namespace LogMonitoring.LoadGen.Commands;

/// <summary><c>loadgen kafka-mock</c>: hosts librdkafka's mock cluster until stopped (SIGTERM or Ctrl+C).</summary>
internal static class KafkaMockCommand
{
    public static Command Create()
    {
        var brokers = new Option<int>("--brokers") { Description = "Number of mock brokers.", DefaultValueFactory = _ => 1 };
        var partitions = new Option<int>("--partitions")
        {
            Description = "Partitions of the logs topic, created up front with logs.dlq (other topics get 4 on first use).",
            DefaultValueFactory = _ => MockKafkaCluster.DefaultLogPartitions,
        };
        var command = new Command("kafka-mock", "Host librdkafka's in-memory mock Kafka cluster; print its bootstrap servers on the first line of stdout, and ingest's lag-gate settings for it (what it retains) on the second.")
        {
            brokers,
            partitions,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cluster = new MockKafkaCluster(parse.GetValue(brokers), MockKafkaCluster.PipelineTopics(parse.GetValue(partitions)));
            Console.Out.WriteLine(cluster.BootstrapServers);
            // Second line: ingest's lag-gate settings for this broker (what it retains of a partition; ingest cannot ask the mock).
            Console.Out.WriteLine(string.Join(' ', MockKafkaCluster.IngestLagGateSettings.Select(s => $"{s.Key}={s.Value}")));
            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }
}
