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
        var command = new Command("kafka-mock", "Host librdkafka's in-memory mock Kafka cluster; print its bootstrap servers on the first line of stdout, and ingest's settings for what it retains on the second.")
        {
            brokers,
            partitions,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var cluster = new MockKafkaCluster(parse.GetValue(brokers), MockKafkaCluster.PipelineTopics(parse.GetValue(partitions)));
            Console.Out.WriteLine(cluster.BootstrapServers);
            // Second line: the settings that tell ingest what this broker retains of a partition (it cannot ask the mock).
            Console.Out.WriteLine(string.Join(' ', MockKafkaCluster.IngestRetentionSettings.Select(s => $"{s.Key}={s.Value}")));
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
