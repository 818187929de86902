using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using LogMonitoring.Contracts;

namespace LogMonitoring.IntegrationTests;

/// <summary>
/// The core guarantee end to end: what ingest acknowledges is stored exactly once, what is invalid is
/// refused with its reason, and what can never be stored goes to the dead-letter topic.
/// </summary>
[Collection(EmbeddedSystemCollection.Name)]
public sealed class PipelineTests(EmbeddedSystemFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Services = ["it-api", "it-auth", "it-payment"];
    private static readonly string[] Levels = ["TRACE", "debug", "INFO", "Warning", "ERROR", "critical"];

    [Fact]
    public async Task Twenty_thousand_events_in_mixed_batches_are_each_stored_exactly_once()
    {
        const int total = 20_000;
        var random = new Random(20_000);
        var now = DateTime.UtcNow;
        var events = Enumerable.Range(0, total).Select(i => new Dictionary<string, object?>
        {
            // Every tenth event carries a sender id; those are the ones a retry must not duplicate.
            ["id"] = i % 10 == 0 ? $"sender-{i}" : null,
            ["timestamp"] = now.AddMilliseconds(-random.Next(0, 3_600_000)).ToString("O"),
            ["level"] = Levels[i % Levels.Length],
            ["service"] = Services[i % Services.Length],
            ["message"] = $"event {i} of the integration run",
            ["metadata"] = new Dictionary<string, object> { ["i"] = i, ["user_id"] = random.Next(1000) },
        }).Select(e => e.Where(p => p.Value is not null).ToDictionary()).ToList();

        // Batches of varying size and framing: single objects, JSON arrays, NDJSON, some gzipped.
        int[] sizes = [1, 7, 50, 333, 1000, 2500];
        var batches = new List<List<Dictionary<string, object?>>>();
        for (int at = 0, b = 0; at < total; b++)
        {
            var size = Math.Min(sizes[b % sizes.Length], total - at);
            batches.Add(events.GetRange(at, size));
            at += size;
        }

        // The batches holding sender ids are sent a second time, as a client retry would.
        // Only their events with sender ids are resent: an event without one is, by contract, a new event.
        var retried = batches
            .Where((_, b) => b % 6 is 2 or 4)
            .Select(batch => batch.Where(e => e.ContainsKey("id")).ToList())
            .Where(batch => batch.Count > 0)
            .ToList();
        Assert.True(retried.Sum(b => b.Count) >= 300, "the retry must cover a meaningful number of sender ids");

        var clock = Stopwatch.StartNew();
        var accepted = 0;
        await Parallel.ForEachAsync(
            batches.Concat(retried).Select((batch, n) => (batch, n)),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct },
            async (item, ct) =>
            {
                using var response = await PostAsync(item.batch, item.n, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
                var answer = JsonDocument.Parse(body).RootElement;
                Assert.Equal(0, answer.GetProperty("rejected").GetArrayLength());
                Interlocked.Add(ref accepted, answer.GetProperty("accepted").GetInt32());
            });
        var ingestSeconds = clock.Elapsed.TotalSeconds;

        Assert.Equal(total + retried.Sum(b => b.Count), accepted);
        var stored = 0L;
        foreach (var service in Services)
        {
            var expected = events.Count(e => (string)e["service"]! == service);
            stored += await StatsPolling.WaitForCountAsync(system.Stats, $"service={service}", expected, TimeSpan.FromMinutes(2), Ct);
        }

        var endToEndSeconds = clock.Elapsed.TotalSeconds;
        TestContext.Current.SendDiagnosticMessage(
            $"posted {accepted} events in {batches.Count + retried.Count} requests in {ingestSeconds:F1} s ({accepted / ingestSeconds:F0}/s); all {total} stored after {endToEndSeconds:F1} s");
        Assert.Equal(total, stored);

        // Read every stored event back: each sender id once, every event once.
        foreach (var service in Services)
        {
            var items = await StatsPolling.AllLogsAsync(system.Stats, $"service={service}", Ct);
            var sent = events.Where(e => (string)e["service"]! == service).ToList();
            Assert.Equal(sent.Count, items.Count);
            Assert.Equal(items.Count, items.Select(i => i.GetProperty("id").GetString()).Distinct().Count());
            var storedSenderIds = items.Select(i => i.GetProperty("source_id").GetString()).Where(id => id!.StartsWith("sender-", StringComparison.Ordinal)).ToList();
            Assert.Equal(sent.Count(e => e.ContainsKey("id")), storedSenderIds.Count);
            Assert.Equal(storedSenderIds.Count, storedSenderIds.Distinct().Count());
            Assert.Equal(
                sent.Select(e => ((JsonElement)JsonSerializer.SerializeToElement(e["metadata"])).GetProperty("i").GetInt32()).Order(),
                items.Select(i => i.GetProperty("metadata").GetProperty("i").GetInt32()).Order());
        }

        // Levels arrive canonical, whatever alias was sent.
        var errorsStored = 0L;
        foreach (var service in Services)
        {
            errorsStored += await StatsPolling.CountAsync(system.Stats, $"service={service}&level=ERROR,FATAL", Ct);
        }

        Assert.Equal(events.Count(e => (string)e["level"]! is "ERROR" or "critical"), errorsStored);
    }

    private Task<HttpResponseMessage> PostAsync(List<Dictionary<string, object?>> batch, int n, CancellationToken ct)
    {
        HttpContent content;
        if (batch.Count == 1)
        {
            content = JsonContent.Create(batch[0]);
        }
        else if (n % 2 == 0)
        {
            var ndjson = string.Join("\n", batch.Select(e => JsonSerializer.Serialize(e)));
            content = new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson");
        }
        else
        {
            content = JsonContent.Create(batch);
        }

        if (n % 4 == 1)
        {
            content = Gzip(content);
        }

        return system.Ingest.PostAsync("/api/logs", content, ct);
    }

    private static ByteArrayContent Gzip(HttpContent content)
    {
        var raw = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(raw);
        }

        var compressed = new ByteArrayContent(buffer.ToArray());
        compressed.Headers.ContentType = content.Headers.ContentType;
        compressed.Headers.ContentEncoding.Add("gzip");
        return compressed;
    }

    [Fact]
    public async Task Invalid_events_are_refused_by_index_with_their_reason()
    {
        var body = """
            [
              {"level":"INFO","service":"it-invalid","message":"fine"},
              {"level":"NOPE","service":"it-invalid","message":"bad level"},
              {"level":"INFO","service":"it-invalid"},
              {"level":"INFO","service":"it-invalid","message":"fine too","metadata":{"$where":"1"}}
            ]
            """;
        using var response = await system.Ingest.PostAsync("/api/logs", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        var rejected = answer.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.StartsWith("level: 'NOPE' is not a level", rejected[0].GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("message: is required", rejected[1].GetProperty("errors")[0].GetString());
        Assert.StartsWith("metadata.$where:", rejected[2].GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await StatsPolling.WaitForCountAsync(system.Stats, "service=it-invalid", 1, TimeSpan.FromSeconds(30), Ct));
    }

    [Fact]
    public async Task A_request_with_no_valid_event_is_a_bad_request_listing_each_event()
    {
        using var response = await system.Ingest.PostAsync("/api/logs",
            new StringContent("""[{"level":"INFO"},{"service":"x","message":"y"}]""", Encoding.UTF8, "application/json"), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, problem.GetProperty("rejected").GetArrayLength());
    }

    [Theory]
    [InlineData("text/plain", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    [InlineData("application/xml", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    [InlineData("application/json; charset=latin1", HttpStatusCode.UnsupportedMediaType, "Content-Type")]
    public async Task Other_media_types_are_unsupported(string contentType, HttpStatusCode expected, string field)
    {
        var content = new ByteArrayContent("""{"level":"INFO","service":"a","message":"m"}"""u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await system.Ingest.PostAsync("/api/logs", content, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_gzip_bomb_stops_at_the_body_limit()
    {
        // 64 MiB of zeros compresses to about 64 KiB; the default body limit is 16 MiB after decompression.
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await system.Ingest.PostAsync("/api/logs", content, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxBodyBytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_poison_message_goes_to_the_dead_letter_topic_and_the_partition_keeps_moving()
    {
        var marker = Guid.NewGuid().ToString("N");
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = system.KafkaBootstrap }).Build())
        {
            // Same key, so the same partition: the valid event after the poison one must still be stored.
            await producer.ProduceAsync(LogTopics.Logs, new Message<string, string> { Key = marker, Value = $"not json {marker}" }, Ct);
            await producer.ProduceAsync(LogTopics.Logs, new Message<string, string> { Key = marker, Value = $$"""{"level":"INFO","service":"it-poison","message":"after {{marker}}"}""" }, Ct);
        }

        Assert.Equal(1, await StatsPolling.WaitForCountAsync(system.Stats, $"service=it-poison&q={marker}", 1, TimeSpan.FromSeconds(60), Ct));

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = system.KafkaBootstrap,
            GroupId = $"it-dlq-{marker}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(LogTopics.DeadLetter);
        ConsumeResult<string, string>? dead = null;
        var clock = Stopwatch.StartNew();
        while (dead is null && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result?.Message.Value.Contains(marker, StringComparison.Ordinal) == true)
            {
                dead = result;
            }
        }

        Assert.NotNull(dead);
        Assert.Equal($"not json {marker}", dead.Message.Value);
        string Header(string name) => Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes(name));
        Assert.StartsWith("event: not valid JSON", Header(LogTopics.DeadLetterHeaders.Reason), StringComparison.Ordinal);
        Assert.Equal(LogTopics.Logs, Header(LogTopics.DeadLetterHeaders.Topic));
        Assert.True(int.Parse(Header(LogTopics.DeadLetterHeaders.Partition), System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.True(long.Parse(Header(LogTopics.DeadLetterHeaders.Offset), System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }

    [Fact]
    public async Task An_event_produced_by_kcat_is_stored()
    {
        if (!File.Exists("/usr/bin/kcat") && !File.Exists("/usr/local/bin/kcat"))
        {
            Assert.Skip("kcat is not installed (apt-get install kcat); .ci/run installs it.");
        }

        var marker = Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo("kcat", ["-P", "-b", system.KafkaBootstrap, "-t", LogTopics.Logs])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        using (var kcat = Process.Start(start)!)
        {
            await kcat.StandardInput.WriteLineAsync($$$"""{"timestamp":"{{{DateTime.UtcNow:O}}}","level":"WARN","service":"it-kcat","message":"from kcat {{{marker}}}","metadata":{"tool":"kcat"}}""");
            kcat.StandardInput.Close();
            await kcat.WaitForExitAsync(Ct);
            Assert.True(kcat.ExitCode == 0, await kcat.StandardError.ReadToEndAsync(Ct));
        }

        Assert.Equal(1, await StatsPolling.WaitForCountAsync(system.Stats, $"service=it-kcat&q={marker}", 1, TimeSpan.FromSeconds(60), Ct));
        var item = (await StatsPolling.AllLogsAsync(system.Stats, $"service=it-kcat&q={marker}", Ct)).Single();
        Assert.Equal("WARN", item.GetProperty("level").GetString());
        Assert.Equal("kcat", item.GetProperty("metadata").GetProperty("tool").GetString());
    }
    [Fact]
    public async Task Without_an_api_key_ingest_and_stats_answer_401_and_the_probes_stay_open()
    {
        using var anonymousIngest = new HttpClient { BaseAddress = system.Ingest.BaseAddress };
        using var anonymousStats = new HttpClient { BaseAddress = system.Stats.BaseAddress };
        using var post = await anonymousIngest.PostAsync("/api/logs", new StringContent("{\"level\":\"INFO\",\"service\":\"a\",\"message\":\"m\"}", Encoding.UTF8, "application/json"), Ct);
        using var search = await anonymousStats.GetAsync("/api/logs", Ct);
        using var health = await anonymousIngest.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, search.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public void The_logs_topic_has_the_partitions_a_growing_persister_group_needs_in_every_mode()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = system.KafkaBootstrap }).Build();

        var logs = admin.GetMetadata(LogTopics.Logs, TimeSpan.FromSeconds(30)).Topics.Single();

        // As Kubernetes creates it: enough partitions for the persister HPA's 10 replicas.
        Assert.Equal(ErrorCode.NoError, logs.Error.Code);
        Assert.Equal(12, logs.Partitions.Count);
    }
}
