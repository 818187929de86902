using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.ReliabilityTests;

/// <summary>
/// Hostile and broken requests against ingest and stats. Each must get the 4xx its fault deserves, as
/// RFC 9457 problem details whose text names what is wrong; none may get a 5xx; the service stays
/// healthy. A second group is hostile but legal (search patterns, operator-looking text): each must
/// get a 200 with the literal answer, never an interpretation.
/// </summary>
public sealed class BadInputCorpusTests(BadInputSystem system) : IClassFixture<BadInputSystem>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One request of the corpus: where it goes, what it sends, what it must get back.</summary>
    public sealed record BadRequest(string Target, Func<HttpRequestMessage> Build, HttpStatusCode Status, string Expect)
    {
        /// <summary>True when the request carries <see cref="Key"/> instead of the system's own key.</summary>
        public bool ReplacesKey { get; init; }

        public string? Key { get; init; }
    }

    private const string Valid = "\"level\":\"INFO\",\"service\":\"rel-corpus\",\"message\":\"m\"";

    private static BadRequest Post(string body, HttpStatusCode status, string expect, string contentType = "application/json") =>
        PostBytes(Encoding.UTF8.GetBytes(body), status, expect, contentType);

    private static BadRequest PostBytes(byte[] body, HttpStatusCode status, string expect, string? contentType = "application/json", string? encoding = null) =>
        PostBytes(() => body, status, expect, contentType, encoding);

    /// <summary>A body built only when the request is sent, so test discovery does not pay for compression bombs.</summary>
    private static BadRequest PostBytes(Func<byte[]> body, HttpStatusCode status, string expect, string? contentType = "application/json", string? encoding = null) =>
        new("ingest", () =>
        {
            var content = new ByteArrayContent(body());
            if (contentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            if (encoding is not null)
            {
                content.Headers.ContentEncoding.Add(encoding);
            }

            return new HttpRequestMessage(HttpMethod.Post, "/api/logs") { Content = content };
        }, status, expect);

    /// <summary>Sends the request with this key instead of the system's own (with none when null).</summary>
    private static BadRequest WithKey(string? key, BadRequest request) => request with { ReplacesKey = true, Key = key };

    private static BadRequest Event(string fields, HttpStatusCode status, string expect) => Post("{" + fields + "}", status, expect);

    private static BadRequest Stats(string pathAndQuery, string expect) =>
        new("stats", () => new HttpRequestMessage(HttpMethod.Get, pathAndQuery), HttpStatusCode.BadRequest, expect);

    /// <summary>Compresses <paramref name="zeros"/> bytes of zeros: a few kilobytes that expand past every body limit.</summary>
    private static byte[] Bomb(int zeros, Func<Stream, Stream> compressor)
    {
        using var buffer = new MemoryStream();
        using (var compress = compressor(buffer))
        {
            var chunk = new byte[1024 * 1024];
            for (var written = 0; written < zeros; written += chunk.Length)
            {
                compress.Write(chunk);
            }
        }

        return buffer.ToArray();
    }

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static readonly HttpStatusCode Bad = HttpStatusCode.BadRequest;
    private static readonly HttpStatusCode TooLarge = HttpStatusCode.RequestEntityTooLarge;
    private static readonly HttpStatusCode Unsupported = HttpStatusCode.UnsupportedMediaType;

    public static readonly IReadOnlyDictionary<string, BadRequest> Corpus = new Dictionary<string, BadRequest>
    {
        // Malformed and truncated JSON
        ["truncated object"] = Post("{\"level\":", Bad, "not valid JSON"),
        ["truncated array"] = Post("[{" + Valid + "},", Bad, "not valid JSON"),
        ["unclosed string"] = Post("{\"level\":\"INFO", Bad, "not valid JSON"),
        ["trailing comma"] = Post("{" + Valid + ",}", Bad, "not valid JSON"),
        ["comment"] = Post("/* hi */ {" + Valid + "}", Bad, "not valid JSON"),
        ["single quotes"] = Post("{'level':'INFO'}", Bad, "not valid JSON"),
        ["two objects in a JSON body"] = Post("{" + Valid + "} {" + Valid + "}", Bad, "not valid JSON"),
        ["empty body"] = Post("", Bad, "not valid JSON"),
        ["whitespace body"] = Post("   \n\t ", Bad, "not valid JSON"),
        ["NaN literal"] = Post("{" + Valid + ",\"metadata\":{\"x\":NaN}}", Bad, "not valid JSON"),
        // Wrong shapes and types
        ["string root"] = Post("\"hello\"", Bad, "must be a JSON object or an array of objects, not a string"),
        ["number root"] = Post("42", Bad, "not a number"),
        ["null root"] = Post("null", Bad, "not null"),
        ["empty array"] = Post("[]", Bad, "the array holds no events"),
        ["array of numbers"] = Post("[1,2]", Bad, "event: must be a JSON object, not a number"),
        ["nested arrays"] = Post("[[{" + Valid + "}]]", Bad, "event: must be a JSON object, not an array"),
        ["empty object"] = Event("", Bad, "service: is required"),
        ["missing message"] = Event("\"level\":\"INFO\",\"service\":\"a\"", Bad, "message: is required"),
        ["missing level"] = Event("\"service\":\"a\",\"message\":\"m\"", Bad, "level: is required"),
        ["level as number"] = Event("\"level\":3,\"service\":\"a\",\"message\":\"m\"", Bad, "level: a number is not a level"),
        ["unknown level"] = Event("\"level\":\"LOUD\",\"service\":\"a\",\"message\":\"m\"", Bad, "level: 'LOUD' is not a level"),
        ["service as object"] = Event("\"level\":\"INFO\",\"service\":{\"a\":1},\"message\":\"m\"", Bad, "service: must be a string, not an object"),
        ["message as array"] = Event("\"level\":\"INFO\",\"service\":\"a\",\"message\":[\"m\"]", Bad, "message: must be a string, not an array"),
        ["message as boolean"] = Event("\"level\":\"INFO\",\"service\":\"a\",\"message\":true", Bad, "message: must be a string, not a boolean"),
        ["metadata as array"] = Event(Valid + ",\"metadata\":[1,2]", Bad, "metadata: must be a JSON object, not an array"),
        ["metadata as string"] = Event(Valid + ",\"metadata\":\"{}\"", Bad, "metadata: must be a JSON object, not a string"),
        ["trace id not hex"] = Event(Valid + ",\"trace_id\":\"zz\"", Bad, "trace_id: must be 32 hexadecimal characters"),
        ["span id too long"] = Event(Valid + ",\"span_id\":\"" + new string('a', 17) + "\"", Bad, "span_id: must be 16 hexadecimal characters"),
        // Empty strings and names
        ["empty service"] = Event("\"level\":\"INFO\",\"service\":\"\",\"message\":\"m\"", Bad, "service: must not be empty"),
        ["blank message"] = Event("\"level\":\"INFO\",\"service\":\"a\",\"message\":\"   \"", Bad, "message: must not be empty"),
        ["empty level"] = Event("\"level\":\"\",\"service\":\"a\",\"message\":\"m\"", Bad, "level: '' is not a level"),
        ["service with spaces"] = Event("\"level\":\"INFO\",\"service\":\"api service\",\"message\":\"m\"", Bad, "service: may contain only letters"),
        ["service path traversal"] = Event("\"level\":\"INFO\",\"service\":\"..\\\\..\\\\etc\",\"message\":\"m\"", Bad, "service: may contain only letters"),
        ["empty metadata key"] = Event(Valid + ",\"metadata\":{\"\":1}", Bad, "metadata: has an empty key"),
        // Oversized fields, events, batches and bodies
        ["message over MaxMessageLength"] = Event("\"level\":\"INFO\",\"service\":\"a\",\"message\":\"" + new string('m', 32 * 1024 + 1) + "\"", Bad, "MaxMessageLength"),
        ["service over MaxServiceLength"] = Event("\"level\":\"INFO\",\"service\":\"" + new string('s', 129) + "\",\"message\":\"m\"", Bad, "MaxServiceLength"),
        ["id over MaxIdLength"] = Event(Valid + ",\"id\":\"" + new string('i', 129) + "\"", Bad, "MaxIdLength"),
        ["host over MaxHostLength"] = Event(Valid + ",\"host\":\"" + new string('h', 256) + "\"", Bad, "MaxHostLength"),
        ["metadata over MaxMetadataKeys"] = Event(Valid + ",\"metadata\":{" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"k{i}\":{i}")) + "}", Bad, "MaxMetadataKeys"),
        ["metadata over MaxMetadataDepth"] = Event(Valid + ",\"metadata\":" + Nested(9), Bad, "MaxMetadataDepth"),
        ["metadata over MaxMetadataBytes"] = Event(Valid + ",\"metadata\":{\"blob\":\"" + new string('b', 70 * 1024) + "\"}", Bad, "MaxMetadataBytes"),
        ["event over MaxEventBytes"] = Event(Valid + ",\"padding\":\"" + new string('p', 300 * 1024) + "\"", TooLarge, "MaxEventBytes"),
        ["batch over MaxBatchEvents (JSON)"] = Post("[" + string.Join(",", Enumerable.Repeat("{" + Valid + "}", 10_001)) + "]", TooLarge, "MaxBatchEvents"),
        ["batch over MaxBatchEvents (NDJSON)"] = Post(string.Join("\n", Enumerable.Repeat("{" + Valid + "}", 10_001)), TooLarge, "MaxBatchEvents", "application/x-ndjson"),
        ["body over MaxBodyBytes"] = Post("[" + string.Join(",", Enumerable.Repeat("{" + Valid + ",\"pad\":\"" + new string('x', 1000) + "\"}", 1_100)) + "]", TooLarge, "MaxBodyBytes"),
        ["gzip bomb"] = PostBytes(() => Bomb(64 * 1024 * 1024, s => new GZipStream(s, CompressionLevel.Fastest)), TooLarge, "MaxBodyBytes", encoding: "gzip"),
        ["deflate bomb"] = PostBytes(() => Bomb(16 * 1024 * 1024, s => new ZLibStream(s, CompressionLevel.Fastest)), TooLarge, "MaxBodyBytes", encoding: "deflate"),
        ["brotli bomb"] = PostBytes(() => Bomb(32 * 1024 * 1024, s => new BrotliStream(s, CompressionLevel.Fastest)), TooLarge, "MaxBodyBytes", encoding: "br"),
        // Deep nesting
        ["nesting past the parser's depth"] = Post(new string('[', 500) + new string(']', 500), Bad, "not valid JSON"),
        ["object nesting past the parser's depth"] = Post(Nested(200), Bad, "not valid JSON"),
        // Invalid UTF-8 and control characters
        ["invalid UTF-8 byte"] = PostBytes([.. "{\"level\":\"INFO\",\"service\":\"a\",\"message\":\""u8, 0xff, 0xfe, .. "\"}"u8], Bad, "not valid UTF-8"),
        ["overlong UTF-8 slash"] = PostBytes([.. "{\"level\":\"INFO\",\"service\":\"a\",\"message\":\""u8, 0xc0, 0xaf, .. "\"}"u8], Bad, "not valid UTF-8"),
        ["UTF-16 body"] = PostBytes(Encoding.Unicode.GetBytes("{" + Valid + "}"), Bad, "not valid JSON"),
        ["lone surrogate escape"] = Event("\"level\":\"INFO\",\"service\":\"a\",\"message\":\"\\ud800\"", Bad, "not valid UTF-16"),
        ["lone surrogate in a metadata key"] = Event(Valid + ",\"metadata\":{\"\\udfff\":1}", Bad, "not valid UTF-16"),
        ["lone surrogate in an NDJSON key"] = Post("{" + Valid + ",\"\\ud800x\":1}", Bad, "not valid UTF-16 (an unpaired surrogate)", "application/x-ndjson"),
        ["control character in service"] = Event("\"level\":\"INFO\",\"service\":\"a\\u0001b\",\"message\":\"m\"", Bad, "service: contains control character U+0001"),
        ["NUL in message"] = Event("\"level\":\"INFO\",\"service\":\"a\",\"message\":\"a\\u0000b\"", Bad, "message: contains control character U+0000"),
        ["escape character in host"] = Event(Valid + ",\"host\":\"h\\u001b[31m\"", Bad, "host: contains control character U+001B"),
        ["NUL in metadata key"] = Event(Valid + ",\"metadata\":{\"a\\u0000b\":1}", Bad, "a key contains U+0000"),
        // Content types and encodings
        ["no content type"] = PostBytes(Encoding.UTF8.GetBytes("{" + Valid + "}"), Unsupported, "Content-Type: is missing", contentType: null),
        ["text/plain"] = Post("{" + Valid + "}", Unsupported, "'text/plain' is not supported", "text/plain"),
        ["application/xml"] = Post("<log/>", Unsupported, "'application/xml' is not supported", "application/xml"),
        ["form post"] = Post("level=INFO", Unsupported, "is not supported", "application/x-www-form-urlencoded"),
        ["multipart"] = Post("--b\r\n\r\n{}\r\n--b--", Unsupported, "is not supported", "multipart/form-data; boundary=b"),
        ["latin1 charset"] = Post("{" + Valid + "}", Unsupported, "charset 'latin1' is not supported", "application/json; charset=latin1"),
        ["malformed media type"] = Post("{" + Valid + "}", Unsupported, "Content-Type", "application/"),
        ["unknown content encoding"] = PostBytes(Encoding.UTF8.GetBytes("{" + Valid + "}"), Unsupported, "'compress' is not supported", encoding: "compress"),
        ["gzip header on plain text"] = PostBytes(Encoding.UTF8.GetBytes("{" + Valid + "}"), Bad, "the body is not valid gzip", encoding: "gzip"),
        // Absurd timestamps and huge numbers
        ["year 9999"] = Event(Valid + ",\"timestamp\":\"9999-12-31T23:59:59Z\"", Bad, "in the future (limit MaxFutureSkew)"),
        ["year 1"] = Event(Valid + ",\"timestamp\":\"0001-01-01T00:00:00Z\"", Bad, "in the past (limit MaxPastAge)"),
        ["epoch seconds"] = Event(Valid + ",\"timestamp\":1700000000", Bad, "timestamp: must be an ISO 8601 string"),
        ["words for a time"] = Event(Valid + ",\"timestamp\":\"yesterday\"", Bad, "is not an ISO 8601 date-time"),
        ["impossible date"] = Event(Valid + ",\"timestamp\":\"2024-13-45T99:99:99Z\"", Bad, "is not an ISO 8601 date-time"),
        ["US date"] = Event(Valid + ",\"timestamp\":\"1/2/2024\"", Bad, "is not an ISO 8601 date-time"),
        ["huge number as level"] = Event("\"level\":1e999999,\"service\":\"a\",\"message\":\"m\"", Bad, "level: a number is not a level"),
        ["huge number as id"] = Event(Valid + ",\"id\":123456789012345678901234567890123456789", Bad, "id: must be a string, not a number"),
        ["huge number as timestamp"] = Event(Valid + ",\"timestamp\":" + new string('9', 400), Bad, "timestamp: must be an ISO 8601 string"),
        // Duplicate keys
        ["duplicate level"] = Event(Valid + ",\"level\":\"ERROR\"", Bad, "level: appears more than once"),
        ["duplicate metadata key"] = Event(Valid + ",\"metadata\":{\"a\":1,\"a\":2}", Bad, "metadata.a: appears more than once in its object"),
        // MongoDB operator injection in bodies
        ["$where in metadata"] = Event(Valid + ",\"metadata\":{\"$where\":\"sleep(1000)\"}", Bad, "keys must not start with '$'"),
        ["$gt nested in metadata"] = Event(Valid + ",\"metadata\":{\"user\":{\"$gt\":\"\"}}", Bad, "keys must not start with '$'"),
        ["$set as an unknown top-level field"] = Event(Valid + ",\"$set\":{\"level\":\"FATAL\"}", Bad, "keys must not start with '$'"),
        ["operator object as service"] = Event("\"level\":\"INFO\",\"service\":{\"$gt\":\"\"},\"message\":\"m\"", Bad, "service: must be a string"),
        // NDJSON framing
        ["NDJSON with only blank lines"] = Post("\n\n  \n", Bad, "holds no events", "application/x-ndjson"),
        ["NDJSON with only broken lines"] = Post("{nope\n[1,", Bad, "line 1: not valid JSON", "application/x-ndjson"),
        // Routes and methods
        ["PUT on the ingest route"] = new("ingest", () => new HttpRequestMessage(HttpMethod.Put, "/api/logs") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, HttpStatusCode.MethodNotAllowed, "405"),
        ["unknown ingest route"] = new("ingest", () => new HttpRequestMessage(HttpMethod.Post, "/api/logz") { Content = new StringContent("{}", Encoding.UTF8, "application/json") }, HttpStatusCode.NotFound, "404"),
        // Credentials
        ["no API key"] = WithKey(null, Post("{" + Valid + "}", HttpStatusCode.Unauthorized, "Unauthorized")),
        ["wrong API key"] = WithKey("not-the-key", Post("{" + Valid + "}", HttpStatusCode.Unauthorized, "Unauthorized")),
        ["operator object as API key"] = WithKey("{\"$ne\":null}", Stats("/api/logs", "Unauthorized") with { Status = HttpStatusCode.Unauthorized }),
        // Stats: query parameters
        ["limit not a number"] = Stats("/api/logs?limit=abc", "limit"),
        ["limit zero"] = Stats("/api/logs?limit=0", "must be a whole number from 1 to 1000"),
        ["limit huge"] = Stats("/api/logs?limit=99999999999999999999", "must be a whole number from 1 to 1000"),
        ["limit negative"] = Stats("/api/logs?limit=-5", "must be a whole number from 1 to 1000"),
        ["forged cursor"] = Stats("/api/logs?cursor=eyJ0IjoxfQ", "is not a cursor returned by this API"),
        ["cursor garbage"] = Stats("/api/logs?cursor=%00%FF%FE", "is not a cursor returned by this API"),
        ["start in words"] = Stats("/api/logs?start=yesterday", "neither an ISO 8601 date-time"),
        ["start too far back"] = Stats("/api/logs/count?start=now-999999999d", "reaches too far"),
        ["end before start"] = Stats("/api/logs?start=2024-01-02T00:00:00Z&end=2024-01-01T00:00:00Z", "must be later than start"),
        ["hourly since year 1"] = Stats("/api/stats/hourly?start=0001-01-01T00:00:00Z", "over the limit of 2000"),
        ["service {\"$gt\":\"\"}"] = Stats("/api/logs?service=" + Uri.EscapeDataString("{\"$gt\":\"\"}"), "1024 letters, digits"),
        ["service $where"] = Stats("/api/logs/count?service=" + Uri.EscapeDataString("$where"), "1024 letters, digits"),
        ["service $ne in stats"] = Stats("/api/stats/hourly?service=" + Uri.EscapeDataString("{\"$ne\":null}"), "1024 letters, digits"),
        ["level $in"] = Stats("/api/logs?level=" + Uri.EscapeDataString("{\"$in\":[\"ERROR\"]}"), "is not a level"),
        ["level only commas"] = Stats("/api/logs?level=,,,", "is empty"),
        ["q over 4096 characters"] = Stats("/api/logs?q=" + new string('a', 4097), "over the limit of 4096"),
        ["q with a NUL"] = Stats("/api/logs?q=a%00b", "control character U+0000"),
        // Hostile queries: each is refused with the column and what was expected there, never run.
        ["q unclosed parenthesis"] = Stats("/api/logs?q=" + Uri.EscapeDataString("level:ERROR AND (host:a"), "column 24: unexpected end of input, expected closing parenthesis"),
        ["q stray parenthesis"] = Stats("/api/logs/count?q=" + Uri.EscapeDataString("a)"), "column 2: unexpected `)`"),
        ["q unclosed quote"] = Stats("/api/logs?q=" + Uri.EscapeDataString("\"timed out"), "expected closing quote"),
        ["q nested too deep"] = Stats("/api/logs?q=" + Uri.EscapeDataString(new string('(', 40) + "a" + new string(')', 40)), "column 33: parentheses nest deeper than 32"),
        ["q operator object"] = Stats("/api/logs?q=" + Uri.EscapeDataString("{\"$gt\":\"\"}"), "column 8: an empty phrase"),
        ["q unknown level"] = Stats("/api/logs?q=" + Uri.EscapeDataString("level:LOUD"), "column 7: 'LOUD' is not a level"),
        ["q empty path segment"] = Stats("/api/logs?q=" + Uri.EscapeDataString("user..id:1"), "column 1: 'user..id' is not a field name"),
        ["q timestamp in words"] = Stats("/api/logs?q=" + Uri.EscapeDataString("timestamp>yesterday"), "column 11: timestamp"),
        ["q comparing text"] = Stats("/api/logs?q=" + Uri.EscapeDataString("message>a"), "column 1: message is searched for text"),
        ["q dangling AND"] = Stats("/api/logs?q=" + Uri.EscapeDataString("error AND"), "column 10: unexpected end of input"),
        ["q list after >"] = Stats("/api/logs?q=" + Uri.EscapeDataString("duration_ms>1,2"), "column 15: > takes one value"),
        ["q too many terms"] = Stats("/api/logs?q=" + Uri.EscapeDataString(string.Join(" OR ", Enumerable.Range(0, 130).Select(i => $"w{i}"))), "more than 128 terms"),
        ["histogram interval 7m"] = Stats("/api/logs/histogram?interval=7m", "divides a day evenly"),
        ["histogram over the range limit"] = Stats("/api/logs/histogram?start=now-60d", "over the limit of 31 days"),
        ["top without a field"] = Stats("/api/logs/top", "field"),
        ["top by an operator"] = Stats("/api/logs/top?field=" + Uri.EscapeDataString("$where"), "must be a field name"),
        ["top limit 1000"] = Stats("/api/logs/top?field=service&limit=1000", "must be a whole number from 1 to 100"),
        ["tail with a forged position"] = Stats("/api/logs/tail?after=x1", "is not an event id of this stream"),
        ["series interval 2m"] = Stats("/api/stats/series?interval=2m", "must be 1m, 5m or 1h"),
        ["series over MaxSeriesPoints"] = Stats("/api/stats/series?interval=1m&start=now-30d", "over the limit"),
        ["error-rate window 0"] = Stats("/api/stats/error-rate?window=0m", "must be a duration from 1m to 24h"),
        ["error-rate window 1000d"] = Stats("/api/stats/error-rate?window=1000d", "must be a duration from 1m to 24h"),
        ["error-rate service injection"] = Stats("/api/stats/error-rate?service=" + Uri.EscapeDataString("'; DROP TABLE logs; --"), "1024 letters, digits"),
    };

    public static TheoryData<string> CorpusNames => [.. Corpus.Keys];

    [Theory]
    [MemberData(nameof(CorpusNames))]
    public async Task A_hostile_request_gets_a_clear_4xx_problem_and_the_service_stays_healthy(string name)
    {
        var bad = Corpus[name];
        var service = bad.Target == "ingest" ? system.Ingest : system.Stats;
        using var request = bad.Build();
        // The system's client sends the right key; a request that brings its own (or none) goes without it.
        using var client = bad.ReplacesKey ? new HttpClient { BaseAddress = service.Client.BaseAddress } : null;
        if (bad.Key is not null)
        {
            request.Headers.Add("X-Api-Key", bad.Key);
        }

        using var response = await (client ?? service.Client).SendAsync(request, Ct);
        await AssertProblemAsync(name, bad, service, response);
    }

    private static async Task AssertProblemAsync(string name, BadRequest bad, Infrastructure.ServiceProcess service, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.True((int)response.StatusCode < 500, $"{name}: a server error {(int)response.StatusCode}: {body}");
        Assert.True(response.StatusCode == bad.Status, $"{name}: expected {(int)bad.Status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)bad.Status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
        var text = string.Join(" | ", Strings(problem.RootElement).Append(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(text.Contains(bad.Expect, StringComparison.Ordinal), $"{name}: the problem does not say '{bad.Expect}': {body}");
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await service.HealthAsync(Ct)).Status);
    }

    /// <summary>Every string in a JSON document, property names included (stats lists errors by parameter name).</summary>
    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Prepend(p.Name)),
        _ => [],
    };

    public static TheoryData<string, int> LegalButHostileSearches => new()
    {
        // Search is literal: pattern and wildcard characters match themselves, nothing else.
        { "(a+)+$", 1 },
        { "%", 1 },
        { "_", 1 },
        { "\\", 1 },
        { ".*", 0 },
        { "[a-z]+", 0 },
        { "' OR 1=1 --", 0 },
        { "{\"$gt\":\"\"}", 0 },
        { "$where", 0 },
        { new string('a', 200), 0 },
    };

    [Theory]
    [MemberData(nameof(LegalButHostileSearches))]
    public async Task A_hostile_search_pattern_is_matched_literally(string q, int expected)
    {
        // As an "exact phrase" of the query language: every character inside the quotes is literal.
        var phrase = "\"" + q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        var query = $"service={BadInputSystem.Service}&q={Uri.EscapeDataString(phrase)}";
        using var count = await system.Stats.Client.GetAsync($"/api/logs/count?{query}", Ct);
        using var search = await system.Stats.Client.GetAsync($"/api/logs?{query}", Ct);

        Assert.Equal(HttpStatusCode.OK, count.StatusCode);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using var counted = JsonDocument.Parse(await count.Content.ReadAsStringAsync(Ct));
        using var found = JsonDocument.Parse(await search.Content.ReadAsStringAsync(Ct));
        Assert.Equal(expected, counted.RootElement.GetProperty("count").GetInt64());
        var messages = found.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("message").GetString()!).ToList();
        Assert.Equal(expected, messages.Count);
        Assert.All(messages, m => Assert.Contains(q, m, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_corpus_holds_at_least_fifty_requests_that_must_be_refused() =>
        Assert.True(Corpus.Count >= 50, $"only {Corpus.Count} requests in the corpus");
}
