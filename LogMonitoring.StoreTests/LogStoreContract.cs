using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Storage;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The promises every <see cref="ILogStore"/> keeps. Each store's test class derives from this one,
/// so SQLite and MongoDB are held to the same suite.
/// </summary>
public abstract class LogStoreContract : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2024, 1, 15, 10, 0, 0, DateTimeKind.Utc);

    protected ILogStore Store { get; private set; } = null!;

    /// <summary>A fresh, empty store, or null (after Assert.Skip) when this store cannot be reached here.</summary>
    protected abstract Task<ILogStore> CreateStoreAsync();

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(TestContext.Current.CancellationToken);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected static LogEvent Event(int i, string service = "api", LogEventLevel level = LogEventLevel.Info, DateTime? at = null, string? message = null) => new()
    {
        Id = LogEventId.ForSource(service, $"e{i}"),
        SourceId = $"e{i}",
        Timestamp = at ?? T0.AddSeconds(i),
        Level = level,
        Service = service,
        Message = message ?? $"event {i}",
        MetadataJson = "{\"i\":" + i + ""","tags":["a","b"],"nested":{"ok":true}}""",
        Host = i % 2 == 0 ? "host-a" : null,
        TraceId = i % 3 == 0 ? "4bf92f3577b34da6a3ce929d0e0e4736" : null,
        SpanId = i % 3 == 0 ? "00f067aa0ba902b7" : null,
        ReceivedAt = T0.AddSeconds(i + 1),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LogMonitoring.Query.QueryNode? Q(string text) => LogMonitoring.Query.QueryParser.ParseValid(text, T0);

    [Fact]
    public async Task Written_events_are_found_newest_first_with_every_field()
    {
        var events = Enumerable.Range(0, 10).Select(i => Event(i)).ToList();
        var result = await Store.WriteBatchAsync(events, Ct);

        Assert.Equal(10, result.Inserted);
        Assert.Empty(result.DuplicateIndexes);
        var page = await Store.SearchAsync(new LogQuery(), 100, null, Ct);
        Assert.Equal(events.AsEnumerable().Reverse().Select(e => e.Id), page.Items.Select(e => e.Id));
        Assert.Null(page.Next);

        var stored = page.Items.Single(e => e.Id == events[3].Id);
        Assert.Equal(events[3] with { MetadataJson = null }, stored with { MetadataJson = null });
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(events[3].MetadataJson!).RootElement, JsonDocument.Parse(stored.MetadataJson!).RootElement));
    }

    [Fact]
    public async Task Writing_the_same_events_again_stores_nothing_twice()
    {
        var events = Enumerable.Range(0, 20).Select(i => Event(i)).ToList();
        await Store.WriteBatchAsync(events, Ct);

        var again = await Store.WriteBatchAsync(events, Ct);

        Assert.Equal(0, again.Inserted);
        Assert.Equal(Enumerable.Range(0, 20), again.DuplicateIndexes);
        Assert.Equal(20, await Store.CountAsync(new LogQuery(), Ct));
    }

    [Fact]
    public async Task A_batch_mixing_new_and_stored_events_stores_only_the_new_ones()
    {
        await Store.WriteBatchAsync([Event(1), Event(3)], Ct);

        var result = await Store.WriteBatchAsync([Event(0), Event(1), Event(2), Event(3), Event(4)], Ct);

        Assert.Equal(3, result.Inserted);
        Assert.Equal([1, 3], result.DuplicateIndexes);
        Assert.Equal(5, await Store.CountAsync(new LogQuery(), Ct));
    }

    [Fact]
    public async Task Filters_combine_service_levels_time_range_and_text()
    {
        await Store.WriteBatchAsync(
        [
            Event(0, "api", LogEventLevel.Info, message: "User login successful"),
            Event(1, "api", LogEventLevel.Error, message: "Payment FAILED: card declined"),
            Event(2, "auth", LogEventLevel.Error, message: "login failed for user"),
            Event(3, "auth", LogEventLevel.Fatal, message: "disk full"),
            Event(4, "api", LogEventLevel.Warn, message: "slow request .* 50%_"),
        ], Ct);

        async Task<long> Count(LogQuery q) => await Store.CountAsync(q, Ct);

        Assert.Equal(3, await Count(new LogQuery { Service = "api" }));
        Assert.Equal(3, await Count(new LogQuery { Levels = [LogEventLevel.Error, LogEventLevel.Fatal] }));
        Assert.Equal(1, await Count(new LogQuery { Service = "auth", Levels = [LogEventLevel.Fatal] }));
        Assert.Equal(5, await Count(new LogQuery { Services = ["api", "auth"] }));
        Assert.Equal(2, await Count(new LogQuery { Services = ["auth", "nobody"] }));
        Assert.Equal(2, await Count(new LogQuery { Start = T0.AddSeconds(1), End = T0.AddSeconds(3) }));
        Assert.Equal(2, await Count(new LogQuery { Where = Q("FAILED") }));
        Assert.Equal(1, await Count(new LogQuery { Where = Q("\".* 50%_\"") }));
        Assert.Equal(0, await Count(new LogQuery { Where = Q("\".*x\"") }));
        Assert.Equal(0, await Count(new LogQuery { Service = """{"$gt": ""}""" }));

        var page = await Store.SearchAsync(new LogQuery { Service = "api", Where = Q("login") }, 10, null, Ct);
        Assert.Equal("User login successful", Assert.Single(page.Items).Message);
    }

    [Fact]
    public async Task The_cursor_pages_through_everything_once_even_with_equal_timestamps()
    {
        var sameSecond = T0.AddMinutes(5);
        var events = Enumerable.Range(0, 50).Select(i => Event(i, at: i < 30 ? sameSecond : T0.AddSeconds(i))).ToList();
        await Store.WriteBatchAsync(events, Ct);

        var seen = new List<LogEvent>();
        LogCursor? cursor = null;
        do
        {
            var page = await Store.SearchAsync(new LogQuery(), 7, cursor, Ct);
            Assert.True(page.Items.Count <= 7);
            seen.AddRange(page.Items);
            cursor = page.Next;
            // New logs arriving between pages must not shift the pages already read.
            if (seen.Count == 14)
            {
                await Store.WriteBatchAsync([Event(1000, at: sameSecond.AddMinutes(1))], Ct);
            }
        }
        while (cursor is not null);

        Assert.Equal(50, seen.Count);
        Assert.Equal(50, seen.Select(e => e.Id).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal).Select(e => e.Id), seen.Select(e => e.Id));
    }

    [Fact]
    public async Task Initializing_again_is_harmless_and_the_store_answers_pings()
    {
        await Store.WriteBatchAsync([Event(1)], Ct);
        await Store.InitializeAsync(Ct);
        await Store.PingAsync(Ct);

        Assert.Equal(1, await Store.CountAsync(new LogQuery(), Ct));
    }

    [Fact]
    public async Task Every_value_of_the_contract_domain_is_stored_and_comes_back_unchanged()
    {
        // The poison classes that once stopped the MongoDB persister: numbers no Int64 or double holds,
        // a timestamp near the end of the domain (its expiry must not overflow), times finer than a millisecond.
        LogEvent[] events =
        [
            Event(0) with { MetadataJson = """{"bytes":18446744073709551615,"neg":-18446744073709551616,"big":1234567890123456789012345678901234567890,"tiny":1e-400,"d":0.1000000000000000000001,"half":0.5,"ints":[1,-9223372036854775808,2147483648]}""" },
            Event(1, at: LogValueDomain.MaxTimestamp.AddTicks(-1)),
            Event(2, at: T0.AddTicks(1_234_567)) with { ReceivedAt = T0.AddTicks(7) },
            Event(3) with { MetadataJson = """{"file":"a.c","_file":"b.c","text":"é日€\u2028\"","deep":{"a":[{"b":[1e300,-0.0,null,true]}]}}""" },
        ];

        var result = await Store.WriteBatchAsync(events, Ct);

        Assert.Equal(events.Length, result.Inserted);
        var page = await Store.SearchAsync(new LogQuery(), 100, null, Ct);
        foreach (var e in events)
        {
            var stored = page.Items.Single(s => s.Id == e.Id);
            Assert.Equal(e with { MetadataJson = null }, stored with { MetadataJson = null });
            using var sent = JsonDocument.Parse(e.MetadataJson!);
            using var back = JsonDocument.Parse(stored.MetadataJson!);
            Assert.True(SameValue(sent.RootElement, back.RootElement), $"sent {e.MetadataJson}\ngot  {stored.MetadataJson}");
        }
    }

    // JSON compared as values: numbers by their exact decimal value (1e2 is 100), keys in order.
    private static bool SameValue(JsonElement a, JsonElement b) => (a.ValueKind, b.ValueKind) switch
    {
        (JsonValueKind.Number, JsonValueKind.Number) => LogMonitoring.Storage.MongoDb.DecimalText.SameValue(a.GetRawText(), b.GetRawText()),
        (JsonValueKind.Object, JsonValueKind.Object) =>
            a.EnumerateObject().Select(p => p.Name).SequenceEqual(b.EnumerateObject().Select(p => p.Name)) &&
            a.EnumerateObject().Zip(b.EnumerateObject()).All(p => SameValue(p.First.Value, p.Second.Value)),
        (JsonValueKind.Array, JsonValueKind.Array) =>
            a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => SameValue(p.First, p.Second)),
        _ => JsonElement.DeepEquals(a, b),
    };

    [Fact]
    public async Task An_empty_batch_writes_nothing()
    {
        var result = await Store.WriteBatchAsync([], Ct);

        Assert.Equal(0, result.Inserted);
        Assert.Equal(0, await Store.CountAsync(new LogQuery(), Ct));
    }
}
