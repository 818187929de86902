using System.Text.Json;
using Confluent.Kafka;
using LogMonitoring.Kafka.Mock;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using System.Net;

namespace LogMonitoring.Tests.Shippers;

/// <summary>
/// The ingest service hosted in the test process (WebApplicationFactory on Kestrel, a free port on
/// 127.0.0.1, so client libraries talk real HTTP to it) against librdkafka's mock cluster, with a topic of
/// its own; events are read back from that topic with a Kafka consumer, so a test sees exactly what
/// reached Kafka.
/// </summary>
public class IngestHost : IAsyncLifetime
{
    private MockKafkaCluster? _kafka;
    // Any type of the ingest assembly names its entry point; 'Program' alone is ambiguous next to the AppHost's.
    private WebApplicationFactory<LogMonitoring.Ingest.IngestOptions>? _factory;

    /// <summary>The key the tests' clients send; ingest requires it, with the logs:write scope.</summary>
    public const string WriterKey = "shipper-tests-writer-key";

    /// <summary>A valid key without the logs:write scope.</summary>
    public const string ReaderKey = "shipper-tests-reader-key";

    public string Topic { get; } = $"logs-shippers-{Guid.NewGuid():N}";

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Where ingest listens, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A handler for client libraries that accept one, so a test can see what they sent.</summary>
    public RecordingHandler CreateHandler() => new(new SocketsHttpHandler());

    protected virtual string BootstrapServers => _kafka!.BootstrapServers;

    /// <summary>The mock cluster the host's Kafka runs on, for tests that take it down.</summary>
    public MockKafkaCluster Kafka => _kafka!;

    /// <summary>The ingest service's services, for tests that look at its producer.</summary>
    public IServiceProvider Services => _factory!.Services;

    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public virtual ValueTask InitializeAsync()
    {
        _kafka = new MockKafkaCluster();
        _factory = new WebApplicationFactory<LogMonitoring.Ingest.IngestOptions>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:kafka", BootstrapServers);
            web.UseSetting("Ingest:Topic", Topic);
            web.UseSetting("ApiKeys:Keys:0:Name", "shipper-tests");
            web.UseSetting("ApiKeys:Keys:0:Key", WriterKey);
            web.UseSetting("ApiKeys:Keys:0:Scopes:0", "logs:write");
            web.UseSetting("ApiKeys:Keys:1:Name", "shipper-tests-reader");
            web.UseSetting("ApiKeys:Keys:1:Key", ReaderKey);
            web.UseSetting("ApiKeys:Keys:1:Scopes:0", "logs:read");
            foreach (var (key, value) in Settings)
            {
                web.UseSetting(key, value);
            }
        });
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        BaseAddress = new Uri(addresses.Addresses.First().TrimEnd('/') + "/");
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Add("X-Api-Key", WriterKey);
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads the topic from the start until <paramref name="count"/> events of <paramref name="service"/> arrived (or <paramref name="wait"/>, 30 s by default, passed).</summary>
    public async Task<List<JsonElement>> ReadEventsAsync(string service, int count, TimeSpan? wait = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _kafka!.BootstrapServers,
            GroupId = $"shipper-tests-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, byte[]>(config).Build();
        var found = new List<JsonElement>();
        var deadline = DateTime.UtcNow + (wait ?? TimeSpan.FromSeconds(30));
        await Task.Run(() =>
        {
            // Assigned rather than subscribed: no consumer group to join, which costs seconds per read.
            consumer.Assign(TopicPartitions(deadline).Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
            while (found.Count < count && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result?.Message?.Value is not { } value)
                {
                    continue;
                }

                var element = JsonDocument.Parse(value).RootElement;
                if (element.GetProperty("service").GetString() == service)
                {
                    found.Add(element);
                }
            }
        }, TestContext.Current.CancellationToken);
        consumer.Close();
        return found;
    }

    // The topic exists once the first event was produced to it; until then it has no partitions.
    private List<TopicPartition> TopicPartitions(DateTime deadline)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka!.BootstrapServers }).Build();
        while (true)
        {
            var topic = admin.GetMetadata(Topic, TimeSpan.FromSeconds(5)).Topics.Single();
            if (topic.Error.Code == ErrorCode.NoError && topic.Partitions.Count > 0)
            {
                return topic.Partitions.Select(p => new TopicPartition(Topic, p.PartitionId)).ToList();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Topic {Topic} has no partitions: {topic.Error.Reason}");
            }

            Thread.Sleep(100);
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        _kafka?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Ingest pointed at a Kafka that does not answer, with a short delivery timeout: every produce fails.</summary>
public sealed class IngestWithoutKafka : IngestHost
{
    protected override string BootstrapServers => "127.0.0.1:9";

    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Ingest:DeliveryTimeout", "00:00:01"),
        new("Ingest:RetryAfterSeconds", "7"),
    ];
}

/// <summary>Helpers on the events read back from the topic.</summary>
public static class TopicEvent
{
    public static string Text(this JsonElement logEvent, string field) => logEvent.GetProperty(field).GetString()!;

    public static JsonElement Metadata(this JsonElement logEvent) => logEvent.GetProperty("metadata");

    public static JsonElement Single(this List<JsonElement> events, Func<JsonElement, bool> predicate) =>
        Assert.Single(events, e => predicate(e));

    public static string NewService(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];
}
