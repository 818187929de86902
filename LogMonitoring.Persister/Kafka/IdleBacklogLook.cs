using Confluent.Kafka;

namespace LogMonitoring.Persister.Kafka;

/// <summary>
/// While the member consumes nothing, asks the broker (every <see cref="ConsumerProgress.IdleBeforeLook"/>)
/// whether messages wait past its position in a partition it holds: an idle member with nothing waiting is
/// healthy, one with messages waiting is stuck. Only the broker can say, because the client's cached
/// watermarks move only with fetches, which are what has stopped.
/// </summary>
public sealed class IdleBacklogLook(ConsumerProgress progress, TimeProvider clock)
{
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(1);

    private long _lastLook = clock.GetTimestamp();

    /// <summary>Called from the poll loop; <paramref name="pausedOnPurpose"/> while a failing write backs off.</summary>
    public void LookIfIdle(IConsumer<byte[]?, byte[]?> consumer, bool pausedOnPurpose)
    {
        if (!progress.IsIdle || clock.GetElapsedTime(_lastLook) < progress.IdleBeforeLook)
        {
            return;
        }

        _lastLook = clock.GetTimestamp();
        var assignment = consumer.Assignment;
        if (pausedOnPurpose || assignment.Count == 0)
        {
            progress.NothingWaiting();
            return;
        }

        try
        {
            var notFetched = assignment.Where(p => consumer.Position(p).Value < 0).ToList();
            var committed = notFetched.Count == 0
                ? []
                : consumer.Committed(notFetched, BrokerTimeout * 10).ToDictionary(c => c.TopicPartition, c => c.Offset);
            foreach (var partition in assignment)
            {
                var watermarks = consumer.QueryWatermarkOffsets(partition, BrokerTimeout);
                var position = consumer.Position(partition);
                var from = position.Value >= 0 ? position : committed.GetValueOrDefault(partition, Offset.Unset);
                var waiting = Backlog(watermarks, from);
                if (waiting > 0)
                {
                    progress.Waiting($"{partition.Topic}[{partition.Partition.Value}]", waiting);
                    return;
                }
            }

            progress.NothingWaiting();
        }
        catch (KafkaException)
        {
            // A broker that does not answer is not evidence either way; the next look asks again.
        }
    }

    /// <summary>Messages past <paramref name="from"/> (a committed offset or position; unset reads from the oldest kept).</summary>
    public static long Backlog(WatermarkOffsets watermarks, Offset from) =>
        Math.Max(0, watermarks.High.Value - (from.Value >= 0 ? from.Value : watermarks.Low.Value));
}
