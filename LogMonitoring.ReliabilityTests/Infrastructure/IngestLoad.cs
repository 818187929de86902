using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.ReliabilityTests.Infrastructure;

/// <summary>
/// Drives ingest with numbered events and records, per event, what ingest answered: acknowledged
/// (202), refused (429, 503, or no connection: the sender knows to retry), or unknown (the connection
/// broke mid-request, so the sender cannot tell). Events carry no sender id, so a duplicate in the
/// store would show as the same sequence number stored twice, not be hidden by an idempotency key.
/// </summary>
/// <param name="padding">Characters of random text added to each event's message: unlike the rest, it does not compress.</param>
public sealed class IngestLoad(string service, IReadOnlyList<ServiceProcess> ingests, int batchSize = 50, int padding = 0)
{
    private readonly ConcurrentBag<long> _acknowledged = [];
    private readonly ConcurrentBag<long> _unknown = [];
    private readonly ConcurrentDictionary<int, int> _statuses = new();
    private long _next;
    private int _requests;
    private int _refused;
    private int _refusedWithoutRetryAfter;

    public string Service { get; } = service;

    public IReadOnlyCollection<long> Acknowledged => _acknowledged;

    /// <summary>Events whose request broke off without an answer: they may or may not be in Kafka.</summary>
    public IReadOnlyCollection<long> Unknown => _unknown;

    public long Sent => Interlocked.Read(ref _next);

    public int Requests => _requests;

    public int Refused => _refused;

    /// <summary>Requests answered 429 or 503 without a Retry-After header: the sender would not know when to come back.</summary>
    public int RefusedWithoutRetryAfter => _refusedWithoutRetryAfter;

    /// <summary>How many requests got each HTTP status (0: no connection).</summary>
    public IReadOnlyDictionary<int, int> Statuses => _statuses;

    /// <summary>
    /// Sends batches from <paramref name="senders"/> concurrent senders until stopped or the event budget
    /// is spent, each sender pausing <paramref name="pause"/> between requests to keep the rate steady.
    /// </summary>
    public async Task RunAsync(int senders, long maxEvents, CancellationToken stop, TimeSpan pause = default)
    {
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async sender =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Read(ref _next) < maxEvents)
            {
                await SendOneAsync(ingests[(sender + Volatile.Read(ref _requests)) % ingests.Count], CancellationToken.None);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, CancellationToken.None);
                }
                else
                {
                    await Task.Yield();
                }
            }
        }));
    }

    /// <summary>Sends one batch to <paramref name="ingest"/> and records the outcome; returns the status (0 when none).</summary>
    public async Task<int> SendOneAsync(ServiceProcess ingest, CancellationToken cancellationToken)
    {
        var first = Interlocked.Add(ref _next, batchSize) - batchSize;
        var sequence = Enumerable.Range(0, batchSize).Select(i => first + i).ToList();
        var body = new StringBuilder();
        var now = DateTime.UtcNow.ToString("O");
        foreach (var seq in sequence)
        {
            body.Append(JsonSerializer.Serialize(new
            {
                timestamp = now,
                level = seq % 7 == 0 ? "ERROR" : "INFO",
                service = Service,
                message = padding == 0 ? $"reliability event {seq}" : $"reliability event {seq} {RandomText(padding)}",
                metadata = new { seq },
            })).Append('\n');
        }

        Interlocked.Increment(ref _requests);
        int status;
        try
        {
            using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson");
            using var response = await ingest.Client.PostAsync("/api/logs", content, cancellationToken);
            status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                if (answer.RootElement.GetProperty("accepted").GetInt32() != batchSize)
                {
                    throw new InvalidOperationException($"ingest accepted part of a valid batch: {answer.RootElement}");
                }

                sequence.ForEach(_acknowledged.Add);
            }
            else
            {
                Interlocked.Increment(ref _refused);
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
                {
                    Interlocked.Increment(ref _refusedWithoutRetryAfter);
                }
            }
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Nothing reached ingest: the sender knows it must retry.
            status = 0;
            Interlocked.Increment(ref _refused);
            await Task.Delay(50, CancellationToken.None);
        }
        catch (HttpRequestException)
        {
            status = -1;
            sequence.ForEach(_unknown.Add);
        }

        _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        return status;
    }

    private static string RandomText(int length) =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(length * 3 / 4 + 3))[..length];

    public string Describe() =>
        $"{Requests} requests, {Acknowledged.Count} events acknowledged, {Refused} requests refused, {Unknown.Count} events unknown; statuses " +
        string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"));
}

/// <summary>What a fault test proves about the store: everything acknowledged is there, once.</summary>
public static class Delivery
{
    /// <summary>
    /// Asserts every acknowledged event is stored, no event is stored twice, and nothing is stored
    /// that was not sent; events of broken-off requests may be stored or not.
    /// </summary>
    public static (int Lost, int Duplicated) AssertExactlyOnce(IngestLoad load, IReadOnlyList<(string Id, long Seq)> stored)
    {
        var storedSeqs = stored.Select(s => s.Seq).ToList();
        var distinct = storedSeqs.ToHashSet();
        var duplicated = storedSeqs.Count - distinct.Count;
        var lost = load.Acknowledged.Count(seq => !distinct.Contains(seq));
        var unexpected = distinct.Count(seq => seq < 0 || seq >= load.Sent);

        Assert.True(lost == 0, $"{lost} acknowledged events are not stored ({load.Describe()})");
        Assert.True(duplicated == 0, $"{duplicated} events are stored more than once");
        Assert.Equal(stored.Count, stored.Select(s => s.Id).Distinct().Count());
        // Stored may exceed acknowledged only by events whose request was refused or broke off: a 503
        // can follow a partial delivery. Anything else stored was never sent.
        Assert.True(unexpected == 0, $"{unexpected} stored events were never sent");
        return (lost, duplicated);
    }
}
