using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The query language on a store, held against the brute force of <see cref="ReferenceSearch"/>: the
/// same answers on every store for every query, newest first with a stable cursor, histograms and top
/// values equal to counts over the events, and a live tail without gaps or repeats.
/// </summary>
public abstract class LogSearchContract : IAsyncLifetime
{
    protected static readonly DateTime T0 = SearchCorpus.T0;

    protected ILogStore Store { get; private set; } = null!;

    protected ILogSearch Search => (ILogSearch)Store;

    protected List<LogEvent> Events { get; } = SearchCorpus.Events();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh, empty store with <c>user_id</c> configured as an indexed field, or a skip.</summary>
    protected abstract Task<ILogStore> CreateStoreAsync(SearchOptions search);

    protected static SearchOptions Options => new() { IndexedFields = ["user_id"] };

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync(Options);
        await Store.InitializeAsync(Ct);
        await Store.WriteBatchAsync(Events, Ct);
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected static QueryNode? Q(string text) => QueryParser.ParseValid(text, T0.AddHours(1));

    private static IEnumerable<LogEvent> NewestFirst(IEnumerable<LogEvent> events) =>
        events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id, StringComparer.Ordinal);

    protected async Task<List<LogEvent>> AllPagesAsync(LogQuery query, int pageSize)
    {
        var seen = new List<LogEvent>();
        LogCursor? cursor = null;
        do
        {
            var page = await Store.SearchAsync(query, pageSize, cursor, Ct);
            Assert.True(page.Items.Count <= pageSize);
            seen.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);

        return seen;
    }

    public static TheoryData<string> CorpusQueries() => new(SearchCorpus.Queries);

    [Theory]
    [MemberData(nameof(CorpusQueries))]
    public async Task Each_query_finds_exactly_the_logs_it_describes_newest_first(string text)
    {
        var query = new LogQuery { Where = Q(text) };
        var expected = NewestFirst(Events.Where(e => ReferenceSearch.Matches(query.Where, e))).Select(e => e.Id).ToList();

        Assert.Equal(expected.Count, await Store.CountAsync(query, Ct));
        Assert.Equal(expected, (await AllPagesAsync(query, 13)).Select(e => e.Id));
    }

    [Fact]
    public async Task Generated_queries_give_the_brute_force_answer()
    {
        var random = new Random(1616);
        for (var i = 0; i < 120; i++)
        {
            var text = RandomQuery(random, 3);
            var query = new LogQuery { Where = Q(text) };
            var expected = Events.Count(e => ReferenceSearch.Matches(query.Where, e));
            Assert.True(expected == await Store.CountAsync(query, Ct), $"{text}: expected {expected}");
        }
    }

    private static string RandomQuery(Random random, int depth)
    {
        string[] leaves =
        [
            "timed", "\"rolled it\"", "σίσυφος", "\u212A", "ab", "host:web-1", "host:web-*", "user_id:u1", "user_id:12345", "duration_ms>500",
            "http.status:500", "http.status>=404", "tags:b", "flag:true", "level:ERROR,FATAL", "level>=WARN", "service:web", "trace_id:*",
            "user.id:*", "NOT host:*", "endpoint:/health",
        ];
        if (depth == 0 || random.Next(3) == 0)
        {
            return leaves[random.Next(leaves.Length)];
        }

        return random.Next(4) switch
        {
            0 => $"NOT ({RandomQuery(random, depth - 1)})",
            1 => $"({RandomQuery(random, depth - 1)}) OR ({RandomQuery(random, depth - 1)})",
            2 => $"-{leaves[random.Next(leaves.Length)].TrimStart('-')}",
            _ => $"({RandomQuery(random, depth - 1)}) {RandomQuery(random, depth - 1)}",
        };
    }

    [Fact]
    public async Task The_query_combines_with_the_service_level_and_time_parameters()
    {
        var query = new LogQuery
        {
            Services = ["api-service", "web"],
            Levels = [LogEventLevel.Error, LogEventLevel.Fatal, LogEventLevel.Warn],
            Start = T0.AddSeconds(10),
            End = T0.AddSeconds(60),
            Where = Q("NOT host:web-2"),
        };
        var expected = NewestFirst(Events.Where(e =>
            e.Service is "api-service" or "web" && e.Level >= LogEventLevel.Warn &&
            e.Timestamp >= T0.AddSeconds(10) && e.Timestamp < T0.AddSeconds(60) && e.Host != "web-2")).Select(e => e.Id).ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, (await AllPagesAsync(query, 5)).Select(e => e.Id));
    }

    [Fact]
    public async Task Text_search_ignores_case_beyond_ASCII()
    {
        async Task<long> Count(string q) => await Store.CountAsync(new LogQuery { Where = Q(q) }, Ct);

        var sisyphus = Events.Count(e => e.Message.StartsWith("ΣΊΣΥΦΟΣ", StringComparison.Ordinal) || e.Message.StartsWith("σίσυφος", StringComparison.Ordinal));
        Assert.True(sisyphus > 0);
        Assert.Equal(sisyphus, await Count("σίσυφος"));
        Assert.Equal(sisyphus, await Count("ΣΊΣΥΦΟΣ"));
        Assert.Equal(Events.Count(e => e.Message.StartsWith("k is for kelvin", StringComparison.Ordinal)), await Count("\"K IS FOR KELVIN\""));
        Assert.Equal(Events.Count(e => e.Message.Contains("Straße", StringComparison.Ordinal)), await Count("STRAẞE"));
    }

    [Fact]
    public async Task A_deep_page_continues_exactly_where_the_previous_one_ended_while_logs_arrive()
    {
        var query = new LogQuery { Where = Q("NOT level:TRACE") };
        var expected = NewestFirst(Events.Where(e => e.Level != LogEventLevel.Trace)).Select(e => e.Id).ToList();
        var seen = new List<string>();
        LogCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.SearchAsync(query, 3, cursor, Ct);
            seen.AddRange(page.Items.Select(e => e.Id));
            cursor = page.Next;
            if (++pages == 5)
            {
                // Newer logs arriving between pages do not shift the pages still to come.
                await Store.WriteBatchAsync([Events[0] with { Id = "zz-new", Timestamp = T0.AddHours(1), Level = LogEventLevel.Info }], Ct);
            }
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
    }

    [Theory]
    [InlineData("1m", null)]
    [InlineData("10s", "level:ERROR,FATAL")]
    [InlineData("1d", "timed")]
    public async Task A_histogram_counts_each_bucket_and_level_as_the_events_do(string interval, string? text)
    {
        Assert.True(LogMonitoring.Query.TimeParameter.TryParseDuration(interval, out var size));
        var query = new LogQuery { Where = text is null ? null : Q(text), Start = T0, End = T0.AddMinutes(2) };

        var counts = await Search.HistogramAsync(query, size, Ct);

        var expected = Events.Where(e => e.Timestamp >= T0 && e.Timestamp < T0.AddMinutes(2) && ReferenceSearch.Matches(query.Where, e))
            .GroupBy(e => (Bucket: new DateTime(e.Timestamp.Ticks - (e.Timestamp.Ticks % size.Ticks), DateTimeKind.Utc), e.Level))
            .Select(g => new HistogramCount(g.Key.Bucket, g.Key.Level, g.Count()))
            .OrderBy(c => c.Bucket).ThenBy(c => c.Level)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, counts);
    }

    [Theory]
    [InlineData("service", null)]
    [InlineData("level", "NOT timed")]
    [InlineData("host", null)]
    [InlineData("user_id", null)]
    [InlineData("http.status", "level>=INFO")]
    [InlineData("http.route", null)]
    [InlineData("flag", null)]
    public async Task Top_values_are_counted_by_field_most_frequent_first(string field, string? text)
    {
        var fieldRef = FieldRef.Parse(field.Split('.'));
        var query = new LogQuery { Where = text is null ? null : Q(text), Start = T0, End = T0.AddHours(1) };

        var top = await Search.TopAsync(query, fieldRef, 4, Ct);

        var expected = Events.Where(e => ReferenceSearch.Matches(query.Where, e))
            .Select(e => TopValue(fieldRef, e))
            .Where(v => v is not null)
            .GroupBy(v => v!)
            .Select(g => new FieldCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Value, ValueOrder.Instance)
            .Take(4)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(Typed), top.Select(Typed));
    }

    private static string Typed(FieldCount count) => $"{count.Value.GetType().Name} {count.Value}: {count.Count}";

    private static object? TopValue(FieldRef field, LogEvent e)
    {
        if (field.Field == LogField.Level)
        {
            return e.Level.ToWireName();
        }

        if (field.Field != LogField.Metadata)
        {
            return field.Field switch { LogField.Service => e.Service, LogField.Host => e.Host, _ => null };
        }

        var element = e.MetadataJson is null ? default : System.Text.Json.JsonDocument.Parse(e.MetadataJson).RootElement;
        foreach (var segment in field.Path)
        {
            if (element.ValueKind != System.Text.Json.JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String => element.GetString(),
            System.Text.Json.JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
            System.Text.Json.JsonValueKind.True => true,
            System.Text.Json.JsonValueKind.False => false,
            _ => null,
        };
    }

    /// <summary>Numbers before strings, as both stores order mixed values; booleans last.</summary>
    private sealed class ValueOrder : IComparer<object>
    {
        public static readonly ValueOrder Instance = new();

        public int Compare(object? x, object? y) => (Rank(x), Rank(y)) switch
        {
            (0, 0) => Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture)),
            (1, 1) => string.CompareOrdinal((string)x!, (string)y!),
            (2, 2) => ((bool)x!).CompareTo((bool)y!),
            var (a, b) => a.CompareTo(b),
        };

        private static int Rank(object? value) => value switch { long or double => 0, string => 1, _ => 2 };
    }

    [Fact]
    public async Task The_live_tail_delivers_each_new_matching_log_once_in_order_and_resumes_without_gaps()
    {
        var query = new LogQuery { Where = Q("level:ERROR,FATAL OR timed") };
        var position = await Search.TailEndAsync(Ct);
        Assert.Empty((await Search.TailAsync(query, position, 100, Ct)).Items);

        var later = Enumerable.Range(0, 120).Select(i => Events[i % Events.Count] with
        {
            Id = $"tail-{i:D4}",
            Timestamp = T0.AddDays(1).AddSeconds(-i),
        }).ToList();
        var delivered = new List<TailItem>();
        foreach (var batch in later.Chunk(30))
        {
            await Store.WriteBatchAsync(batch, Ct);
            await Task.Delay(TailSettleTime, Ct);
            // Small pages, each resumed from the position the previous one ended at.
            TailPage page;
            do
            {
                page = await Search.TailAsync(query, position, 7, Ct);
                delivered.AddRange(page.Items);
                position = page.Position;
            }
            while (page.Items.Count == 7);
        }

        var expected = later.Where(e => ReferenceSearch.Matches(query.Where, e)).Select(e => e.Id).ToList();
        Assert.Equal(expected, delivered.Select(i => i.Event.Id));
        Assert.Empty((await Search.TailAsync(query, position, 100, Ct)).Items);

        // A client that stopped after any one log resumes right after it: no gap, no repeat.
        var resumed = await Search.TailAsync(query, delivered[4].Position, 3, Ct);
        Assert.Equal(delivered.Skip(5).Take(3).Select(i => i.Event.Id), resumed.Items.Select(i => i.Event.Id));
    }

    /// <summary>How long after a write the store's tail surely shows it.</summary>
    protected virtual TimeSpan TailSettleTime => TimeSpan.Zero;
}
