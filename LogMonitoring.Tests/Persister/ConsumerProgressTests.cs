using System.Text;
using Confluent.Kafka;
using LogMonitoring.Kafka.Mock;
using LogMonitoring.Persister;
using LogMonitoring.Persister.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LogMonitoring.Tests.Persister;

/// <summary>
/// The persister's liveness: a member holding partitions it no longer moves fails /alive; an idle member
/// with nothing to read, or one backing off on purpose, does not.
/// </summary>
public sealed class ConsumerProgressTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new();
    private readonly ConsumerProgress _progress;

    public ConsumerProgressTests()
    {
        _progress = new ConsumerProgress(Options.Create(new PersisterOptions { StallTimeout = Stall }), _clock);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HealthCheckResult> CheckAsync() => await _progress.CheckHealthAsync(new HealthCheckContext(), Ct);

    /// <summary>The poll loop turning, as it does at least every second.</summary>
    private void Run(TimeSpan duration)
    {
        for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromSeconds(1))
        {
            _progress.Turned();
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task An_idle_member_with_nothing_waiting_stays_live()
    {
        Run(Stall * 3);
        _progress.NothingWaiting();

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task A_poll_loop_that_has_not_started_while_the_store_is_awaited_is_not_a_stall()
    {
        _clock.Advance(Stall * 3);

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task A_poll_loop_that_stops_turning_fails_liveness_after_the_stall_timeout()
    {
        Run(TimeSpan.FromSeconds(10));
        _clock.Advance(Stall - TimeSpan.FromSeconds(1));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);

        _clock.Advance(TimeSpan.FromSeconds(2));

        var result = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("poll loop has not turned", result.Description);
    }

    [Fact]
    public async Task Messages_waiting_while_nothing_is_consumed_fail_liveness_and_a_consumed_message_clears_it()
    {
        Run(_progress.IdleBeforeLook);
        Assert.True(_progress.IsIdle);
        _progress.Waiting("logs[3]", 1_200);
        Run(Stall);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);

        Run(TimeSpan.FromSeconds(2));
        var stalled = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("1200 message(s) wait in logs[3]", stalled.Description);

        _progress.Consumed();
        Assert.False(_progress.IsIdle);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task Commits_failing_for_longer_than_the_stall_timeout_fail_liveness_and_one_success_clears_it()
    {
        _progress.CommitFailed();
        Run(Stall / 2);
        _progress.CommitFailed();
        Run(Stall / 2 + TimeSpan.FromSeconds(2));

        var result = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("every offset commit has failed", result.Description);

        _progress.CommitSucceeded();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task The_idle_look_asks_the_broker_and_finds_messages_past_a_position_the_member_never_fetched()
    {
        // A member assigned a partition whose messages it never fetches: what a stuck client looks like from outside.
        using var kafka = new MockKafkaCluster(topics: new Dictionary<string, int> { ["logs"] = 2 });
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build())
        {
            for (var i = 0; i < 5; i++)
            {
                producer.Produce(new TopicPartition("logs", 1), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes($"m{i}") });
            }

            producer.Flush(Ct);
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = $"progress-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign([new TopicPartition("logs", 0), new TopicPartition("logs", 1)]);
        var look = new IdleBacklogLook(_progress, _clock);

        look.LookIfIdle(consumer, pausedOnPurpose: false);
        Run(_progress.IdleBeforeLook);
        look.LookIfIdle(consumer, pausedOnPurpose: false);
        Run(Stall + TimeSpan.FromSeconds(2));

        var result = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("5 message(s) wait in logs[1]", result.Description);

        // The same member backing off on purpose (its partitions paused while the store is away) is not stuck.
        look.LookIfIdle(consumer, pausedOnPurpose: true);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }
}
