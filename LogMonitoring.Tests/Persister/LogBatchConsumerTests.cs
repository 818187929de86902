using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using LogMonitoring.Contracts;
using LogMonitoring.Kafka;
using LogMonitoring.Kafka.Mock;
using LogMonitoring.Persister;
using LogMonitoring.Persister.Batches;
using LogMonitoring.Persister.Kafka;
using LogMonitoring.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Tests.Persister;

/// <summary>
/// The poll loop against librdkafka's mock cluster in this process, with a store that fails on demand:
/// a whole-store outage backs off with the partitions paused and resumes by itself; a rebalance during
/// the outage is not held up; nothing is committed before it is stored, nothing is stored twice.
/// </summary>
public sealed class LogBatchConsumerTests : IDisposable
{
    private const string Topic = "logs";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly MockKafkaCluster _kafka = new(topics: new Dictionary<string, int> { [Topic] = 2 });
    private readonly string _group = $"persister-{Guid.NewGuid():N}";
    private readonly List<IDisposable> _owned = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Member(LogBatchConsumer Consumer, FaultyStore Store, StoreWriteHealth Health, RecordingDeadLetters DeadLetters, PersisterMetricsProbe Metrics);

    private async Task<Member> StartMemberAsync(FaultyStore? store = null)
    {
        store ??= Own(new FaultyStore());
        await store.InitializeAsync(Ct);
        var metrics = Own(new PersisterMetricsProbe());
        var deadLetters = new RecordingDeadLetters();
        var health = new StoreWriteHealth();
        var initializer = new LogStoreInitializer(store, NullLogger<LogStoreInitializer>.Instance);
        await initializer.StartAsync(Ct);
        var options = Options.Create(new PersisterOptions
        {
            Topic = Topic,
            GroupId = _group,
            BatchWait = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(300),
            ShutdownWriteTimeout = TimeSpan.FromSeconds(2),
        });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:kafka"] = _kafka.BootstrapServers }).Build();
        var progress = new ConsumerProgress(options, TimeProvider.System);
        var writer = new LogBatchWriter(store, new LogEventReader(new LogLimits()), deadLetters, metrics.Metrics, NullLogger<LogBatchWriter>.Instance);
        var consumer = new LogBatchConsumer(new KafkaClientFactory(configuration), options, initializer, writer, metrics.Metrics, health, new KafkaFatalErrors(), progress, new IdleBacklogLook(progress, TimeProvider.System), NullLogger<LogBatchConsumer>.Instance);
        await consumer.StartAsync(Ct);
        _owned.Add(new Stopper(consumer));
        return new Member(consumer, store, health, deadLetters, metrics);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private void Produce(int from, int count)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _kafka.BootstrapServers, Acks = Acks.All }).Build();
        for (var i = from; i < from + count; i++)
        {
            // Keyed round-robin over both partitions, so a rebalance moves events either way.
            producer.Produce(new TopicPartition(Topic, i % 2), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(TopicMessages.Event(i)) });
        }

        producer.Flush(Ct);
    }

    private long Committed()
    {
        using var reader = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = _kafka.BootstrapServers, GroupId = _group }).Build();
        return reader.Committed([new TopicPartition(Topic, 0), new TopicPartition(Topic, 1)], TimeSpan.FromSeconds(10))
            .Sum(o => Math.Max(0, o.Offset.Value));
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(started.Elapsed < Patience, $"not within {Patience}: {what}");
            await Task.Delay(100, Ct);
        }
    }

    private static Task WaitUntil(Func<bool> condition, string what) => WaitUntil(() => Task.FromResult(condition()), what);

    private static async Task<bool> IsReady(StoreWriteHealth health) =>
        (await health.CheckHealthAsync(new HealthCheckContext(), Ct)).Status == HealthStatus.Healthy;

    [Fact]
    public async Task A_store_outage_pauses_the_partitions_answers_503_and_resumes_by_itself_losing_nothing()
    {
        var store = Own(new FaultyStore { Down = true });
        var member = await StartMemberAsync(store);
        Produce(0, 20);

        await WaitUntil(() => member.Consumer.IsBackingOff && store.Attempts >= 3, "backing off after failed writes");
        Assert.False(await IsReady(member.Health));
        Produce(20, 20);
        var attempts = store.Attempts;
        await WaitUntil(() => store.Attempts >= attempts + 2, "retrying on its schedule");
        Assert.Equal(0, Committed());

        store.Down = false;

        await WaitUntil(async () => (await store.AllAsync()).Count == 40, "all 40 events stored after the outage");
        await WaitUntil(() => !member.Consumer.IsBackingOff, "partitions resumed");
        Assert.True(await IsReady(member.Health));
        await WaitUntil(() => Committed() == 40, "offsets committed to the end");
        var stored = await store.AllAsync();
        Assert.Equal(40, stored.Select(e => e.Id).Distinct().Count());
        Assert.Empty(member.DeadLetters.Sent);
    }

    [Fact]
    public async Task Every_assigned_partition_reports_its_lag_even_before_anything_is_written_to_it()
    {
        // Three events wait in partition 0 while the store is away; partition 1 never gets one.
        Produce(0, 1);
        Produce(2, 1);
        Produce(4, 1);
        var store = Own(new FaultyStore { Down = true });
        var member = await StartMemberAsync(store);

        await WaitUntil(() => member.Metrics.Lag().Count == 2, "a lag series for each of the two assigned partitions");
        var lag = member.Metrics.Lag();
        Assert.Equal(0, lag[1]);
        Assert.InRange(lag[0], 0, 3);
    }

    [Fact]
    public async Task A_stored_batch_whose_commit_failed_is_committed_again_though_nothing_new_arrives()
    {
        // What a cooperative rebalance does to a member that keeps its partitions: the coordinator answers
        // its commit with "rebalance in progress". Nothing more is produced, so no later batch commits for it.
        var member = await StartMemberAsync();
        _kafka.FailNextOffsetCommits(3, ErrorCode.RebalanceInProgress);
        Produce(0, 10);

        await WaitUntil(async () => (await member.Store.AllAsync()).Count == 10, "the 10 events stored");
        await WaitUntil(() => Committed() == 10, "the offsets committed after the failed commit");
        Assert.True(member.Metrics.Total("logmon.persister.commit.errors") >= 1, "the failed commit counted");
        Assert.Equal(10, (await member.Store.AllAsync()).Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_rebalance_during_a_store_outage_is_not_held_up()
    {
        var downStore = Own(new FaultyStore { Down = true });
        var first = await StartMemberAsync(downStore);
        Produce(0, 40);
        await WaitUntil(() => first.Consumer.IsBackingOff, "the first member backing off");

        var second = await StartMemberAsync();

        // The second member gets a partition (the first gives it up without writing) and stores its events.
        await WaitUntil(async () => (await second.Store.AllAsync()).Count == 20, "the second member storing its partition's 20 events");
        await WaitUntil(() => Committed() == 20, "the second member's partition committed, the first's not");
        Assert.Empty(await downStore.AllAsync());

        downStore.Down = false;
        await WaitUntil(async () => (await downStore.AllAsync()).Count == 20, "the first member storing the other partition after the outage");
        await WaitUntil(() => Committed() == 40, "everything committed");
        var ids = (await downStore.AllAsync()).Concat(await second.Store.AllAsync()).Select(e => e.Id).ToList();
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_dead_letter_topic_that_is_away_fails_a_send_within_the_dead_letter_timeout()
    {
        // A broker nobody listens on: the send must give up (and the batch back off), never wait for the poll interval.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:kafka"] = "127.0.0.1:9" }).Build();
        using var producer = new DeadLetterProducer(new KafkaClientFactory(configuration), Options.Create(new PersisterOptions { DeadLetterTimeout = TimeSpan.FromMilliseconds(500) }), new KafkaFatalErrors());

        var error = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() => producer.SendAsync(TopicMessages.At(7, "not json"), "not_json", Ct));

        Assert.Equal(ErrorCode.Local_MsgTimedOut, error.Error.Code);
    }

    [Fact]
    public async Task A_fatal_Kafka_client_error_fails_readiness()
    {
        var fatal = new KafkaFatalErrors();
        fatal.Observe("dead-letter producer", new Error(ErrorCode.Local_Transport, "broker down"));
        Assert.Equal(HealthStatus.Healthy, (await fatal.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);

        fatal.Observe("dead-letter producer", new Error(ErrorCode.OutOfOrderSequenceNumber, "sequence lost", isFatal: true));

        var result = await fatal.CheckHealthAsync(new HealthCheckContext(), Ct);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("sequence lost", result.Description, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        _kafka.Dispose();
    }

    private sealed class Stopper(LogBatchConsumer consumer) : IDisposable
    {
        public void Dispose()
        {
            consumer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            consumer.Dispose();
        }
    }
}
