using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

/// <summary>
/// Property-based tests of the contract parser: whatever a sender posts, the parser answers without
/// throwing; what it accepts honours every limit; what it accepts survives the trip through Kafka
/// unchanged and within the limits the persister applies. Small limits make the generators reach them.
/// </summary>
public sealed class ContractFuzzTests
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    internal static readonly LogLimits Limits = new()
    {
        MaxBodyBytes = 64 * 1024,
        MaxBatchEvents = 5,
        MaxEventBytes = 400,
        MaxMessageLength = 80,
        MaxServiceLength = 16,
        MaxHostLength = 16,
        MaxIdLength = 36,
        MaxMetadataKeys = 6,
        MaxMetadataDepth = 3,
        MaxMetadataBytes = 200,
        MaxFutureSkew = TimeSpan.FromHours(1),
        MaxPastAge = TimeSpan.FromDays(30),
    };

    private static readonly LogBatchParser Parser = new(new LogEventReader(Limits));

    [Property(MaxTest = 2000, Arbitrary = [typeof(ContractGenerators)])]
    public void Hostile_text_never_makes_the_parser_throw(HostileBody body)
    {
        foreach (var format in new[] { LogBatchFormat.Json, LogBatchFormat.Ndjson })
        {
            var error = Parser.Read(body.Bytes, format, Now, out var batch);
            // Either the whole body is refused, or every event is accounted for, accepted or rejected with reasons.
            Assert.True(error is not null || batch.Total > 0, $"no error and no event for {body}");
            Assert.All(batch.Rejected, r => Assert.NotEmpty(r.Errors));
            Assert.All(batch.Accepted, e => AssertWithinLimits(e, Limits));
        }
    }

    [Property(MaxTest = 3000, Arbitrary = [typeof(ContractGenerators)])]
    public void Accepted_events_honour_every_limit_and_rejected_ones_say_why(CandidateEvent candidate)
    {
        var error = Parser.Read(candidate.Json, LogBatchFormat.Json, Now, out var batch);

        if (error is not null)
        {
            // Only the event's own size may refuse a single well-formed object outright.
            Assert.True(error.TooLarge && error.Detail.Contains(nameof(LogLimits.MaxEventBytes), StringComparison.Ordinal), error.Detail);
            Assert.True(candidate.Json.Length > Limits.MaxEventBytes);
            return;
        }

        Assert.Equal(1, batch.Total);
        if (batch.Accepted.Count == 1)
        {
            AssertWithinLimits(batch.Accepted[0], Limits);
            Assert.Empty(candidate.KnownViolations);
        }
        else
        {
            Assert.All(batch.Rejected[0].Errors, e => Assert.Contains(": ", e, StringComparison.Ordinal));
            Assert.NotEmpty(batch.Rejected[0].Errors);
        }
    }

    [Property(MaxTest = 3000, Arbitrary = [typeof(ContractGenerators)])]
    public void Accepted_events_cross_Kafka_unchanged_and_are_never_dead_lettered(CandidateEvent candidate)
    {
        Parser.Read(candidate.Json, LogBatchFormat.Json, Now, out var batch);
        foreach (var accepted in batch.Accepted)
        {
            var message = LogEventJson.ToUtf8Bytes(accepted);
            var errors = new List<LogEventError>();
            var stored = Parser.Reader.ReadFromTopic(message, new TopicPosition("logs", 0, 0), errors);

            // An event ingest acknowledged must be storable: a dead letter here would be an accepted event lost.
            Assert.True(stored is not null, $"accepted at ingest but refused from the topic: {string.Join("; ", errors)}\n{Encoding.UTF8.GetString(message)}");
            Assert.Equal(accepted, stored);
        }
    }

    [Property(MaxTest = 500, Arbitrary = [typeof(ContractGenerators)])]
    public void A_batch_is_split_into_accepted_and_rejected_by_index(CandidateEvent[] candidates)
    {
        var body = "[" + string.Join(",", candidates.Select(c => Encoding.UTF8.GetString(c.Json))) + "]";
        var error = Parser.Read(Encoding.UTF8.GetBytes(body), LogBatchFormat.Json, Now, out var batch);

        if (candidates.Length == 0 || candidates.Length > Limits.MaxBatchEvents)
        {
            Assert.NotNull(error);
            Assert.Equal(candidates.Length > 0, error.TooLarge);
            return;
        }

        if (error is not null)
        {
            Assert.Contains(nameof(LogLimits.MaxEventBytes), error.Detail, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(candidates.Length, batch.Total);
        Assert.Equal(Enumerable.Range(0, candidates.Length), batch.Rejected.Select(r => r.Index).Concat(AcceptedIndexes(candidates, batch)).Order());
    }

    [Fact]
    public void The_generated_events_land_on_both_sides_of_the_limits()
    {
        // Guards the properties above against a generator that drifts to all-valid or all-broken input.
        var outcomes = ContractGenerators.CandidateEvents().Generator.Sample(1000, 20)
            .Select(c => (Error: Parser.Read(c.Json, LogBatchFormat.Json, Now, out var batch), Accepted: batch.Accepted.Count, c.KnownViolations))
            .ToList();

        var accepted = outcomes.Count(o => o.Accepted == 1);
        TestContext.Current.SendDiagnosticMessage($"{outcomes.Count} generated events: {accepted} accepted, {outcomes.Count(o => o.KnownViolations.Count > 0)} with a chosen violation");
        Assert.True(accepted is >= 100 and <= 900, $"{accepted} of {outcomes.Count} accepted; most common reasons: " + string.Join(" | ",
            ContractGenerators.CandidateEvents().Generator.Sample(1000, 20)
                .SelectMany(c => { Parser.Read(c.Json, LogBatchFormat.Json, Now, out var b); return b.Rejected.SelectMany(r => r.Errors).Select(e => e.Split(':')[0]).Distinct(); })
                .GroupBy(e => e).OrderByDescending(g => g.Count()).Take(8).Select(g => $"{g.Key} {g.Count()}")));
        Assert.InRange(outcomes.Count(o => o.KnownViolations.Count > 0), 100, 900);
        Assert.All(outcomes.Where(o => o.KnownViolations.Count > 0), o => Assert.Equal(0, o.Accepted));
    }

    private static IEnumerable<int> AcceptedIndexes(CandidateEvent[] candidates, LogBatch batch)
    {
        var rejected = batch.Rejected.Select(r => r.Index).ToHashSet();
        return Enumerable.Range(0, candidates.Length).Where(i => !rejected.Contains(i));
    }

    /// <summary>Checks an accepted event against the limits independently of the reader's own checks.</summary>
    internal static void AssertWithinLimits(LogEvent e, LogLimits limits)
    {
        Assert.InRange(e.Message.Length, 1, limits.MaxMessageLength);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.DoesNotContain(e.Message, c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));
        Assert.InRange(e.Service.Length, 1, limits.MaxServiceLength);
        Assert.All(e.Service, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':', $"service char U+{(int)c:X4}"));
        Assert.True(e.Host is null || (e.Host.Length <= limits.MaxHostLength && !e.Host.Any(char.IsControl)));
        Assert.True(e.SourceId is not null && e.SourceId.Length <= Math.Max(limits.MaxIdLength, 36));
        Assert.Equal(LogEventId.ForSource(e.Service, e.SourceId!), e.Id);
        Assert.Equal(DateTimeKind.Utc, e.Timestamp.Kind);
        Assert.InRange(e.Timestamp, Now - limits.MaxPastAge, Now + limits.MaxFutureSkew);
        Assert.True(e.TraceId is null || (e.TraceId.Length == 32 && e.TraceId.All(char.IsAsciiHexDigitLower)));
        Assert.True(e.SpanId is null || (e.SpanId.Length == 16 && e.SpanId.All(char.IsAsciiHexDigitLower)));
        if (e.MetadataJson is { } metadata)
        {
            Assert.True(metadata.Length <= limits.MaxMetadataBytes, $"metadata is {metadata.Length} long");
            using var document = JsonDocument.Parse(metadata);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            var keys = 0;
            var depth = MetadataDepth(document.RootElement, ref keys);
            Assert.True(depth <= limits.MaxMetadataDepth, $"metadata is {depth} deep");
            Assert.True(keys <= limits.MaxMetadataKeys, $"metadata has {keys} keys");
        }
    }

    private static int MetadataDepth(JsonElement element, ref int keys)
    {
        var deepest = 0;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    keys++;
                    Assert.False(p.Name.Length == 0 || p.Name[0] == '$' || p.Name.Contains('\0'), $"metadata key '{p.Name}'");
                    deepest = Math.Max(deepest, MetadataDepth(p.Value, ref keys));
                }

                return deepest + 1;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    deepest = Math.Max(deepest, MetadataDepth(item, ref keys));
                }

                return deepest + 1;
            default:
                return 0;
        }
    }
}

/// <summary>A body made of JSON's own building blocks, valid or not, sometimes truncated.</summary>
public sealed record HostileBody(byte[] Bytes)
{
    public override string ToString() => Convert.ToBase64String(Bytes) + " (" + Encoding.UTF8.GetString(Bytes).Replace("\n", "\\n", StringComparison.Ordinal) + ")";
}

/// <summary>One event object as a sender might write it, and the limits it breaks on purpose.</summary>
public sealed record CandidateEvent(byte[] Json, IReadOnlyList<string> KnownViolations)
{
    public override string ToString() => Encoding.UTF8.GetString(Json) + (KnownViolations.Count == 0 ? "" : " violates " + string.Join(", ", KnownViolations));
}

public static class ContractGenerators
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", ":", ",", " ", "\n", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "\\n", "\"level\"", "\"service\"",
        "\"message\"", "\"metadata\"", "\"timestamp\"", "\"id\"", "\"host\"", "\"trace_id\"", "\"$where\"", "\"$gt\"", "\"INFO\"", "\"warning\"",
        "\"a\"", "\"\"", "null", "true", "false", "0", "-1", "1e999999", "123456789012345678901234567890", "NaN", "\"2024-01-15T10:30:00Z\"",
        "\"9999-12-31T23:59:59Z\"", "é", "日本", "😀", "\u0001", "\u007f", "/*", "*/", "\r\n",
    ];

    private static readonly string[] Services = ["api", "a.b-c_d/e:f", "x", "", " ", "bad service", "ünï", "$where", "{\"$gt\":\"\"}", new string('s', 17)];
    private static readonly string[] LevelNames = ["INFO", "info", "WARNING", "err", "Critical", "TRACE", "", "LOUD", "1", " DEBUG "];

    public static Arbitrary<HostileBody> HostileBodies() =>
        Gen.Frequency(
            (3, Gen.ListOf(Gen.Elements(Tokens)).Select(parts => string.Concat(parts))),
            (3, Candidates().Select(c => Encoding.UTF8.GetString(c.Json)).SelectMany(json => Gen.Choose(0, json.Length).Select(cut => json[..cut]))),
            (2, Candidates().Select(c => Encoding.UTF8.GetString(c.Json)).SelectMany(json =>
                Gen.Zip(Gen.Choose(0, json.Length), Gen.Elements(Tokens)).Select(m => json.Insert(m.Item1, m.Item2)))),
            (1, Gen.ListOf(Candidates()).Select(cs => string.Join("\n", cs.Select(c => Encoding.UTF8.GetString(c.Json))))))
        .Select(text => Encoding.UTF8.GetBytes(text))
        .SelectMany(bytes => Gen.Frequency(
            (9, Gen.Constant(bytes)),
            // Now and then a byte that is not UTF-8 at all.
            (1, Gen.Choose(0, bytes.Length).Select(at => InsertInvalidByte(bytes, at)))))
        .Select(bytes => new HostileBody(bytes))
        .ToArbitrary();

    private static byte[] InsertInvalidByte(byte[] bytes, int at) => [.. bytes[..at], 0xc0, .. bytes[at..]];

    public static Arbitrary<CandidateEvent> CandidateEvents() => Candidates().ToArbitrary();

    /// <summary>Printable text: letters, spaces, JSON's special characters, HTML's, and non-ASCII.</summary>
    private static Gen<string> Text(int min, int max) =>
        Gen.Choose(min, max).SelectMany(length =>
            Gen.ArrayOf(Gen.Frequency(
                (20, Gen.Choose('a', 'z').Select(c => (char)c)),
                (2, Gen.Elements(' ', '"', '\\', '<', '&', '\'', '+')),
                (2, Gen.Elements('é', '日', 'ß', '€', '\u2028'))), length))
        .Select(chars => new string(chars));

    private static Gen<string> Letters(int min, int max) =>
        Gen.Choose(min, max).SelectMany(length => Gen.ArrayOf(Gen.Choose('a', 'z').Select(c => (char)c), length)).Select(chars => new string(chars));

    /// <summary>Text with one control character somewhere in it.</summary>
    private static Gen<string> Dirty(int max) =>
        from text in Text(0, max)
        from at in Gen.Choose(0, text.Length)
        from control in Gen.Elements('\u0000', '\u0001', '\u001b', '\u007f', '\n', '\t')
        select text.Insert(at, control.ToString());

    private static Gen<string> Emoji(int max) => Gen.Choose(0, max).Select(n => string.Concat(Enumerable.Repeat("😀", n)));

    private static Gen<string> Key() =>
        Gen.Frequency((20, Letters(1, 6)), (1, Gen.Elements("$where", "$gt", "a.b", "")), (1, Dirty(4)), (1, Emoji(2)));

    private static Gen<JsonElement> Metadata(int depth) =>
        depth <= 0
            ? Gen.OneOf(Gen.Choose(-5, 5).Select(n => JsonSerializer.SerializeToElement(n)), Gen.Frequency((8, Text(0, 12)), (1, Dirty(8))).Select(s => JsonSerializer.SerializeToElement(s)))
            : Gen.Frequency(
                (3, Metadata(0)),
                (2, Gen.Choose(0, 3)
                    .SelectMany(n => Gen.ListOf(Gen.Zip(Key(), Metadata(depth - 1)), n))
                    .Select(pairs => JsonSerializer.SerializeToElement(pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2)))),
                (1, Gen.Choose(0, 3).SelectMany(n => Gen.ListOf(Metadata(depth - 1), n)).Select(items => JsonSerializer.SerializeToElement(items))));

    /// <summary>
    /// Events that are mostly valid and often sit just inside or just outside a limit; the generator
    /// records the violations it chose on purpose, so an accepted event that has one is a failure.
    /// </summary>
    private static Gen<CandidateEvent> Candidates() =>
        from service in Gen.Frequency((6, Gen.Elements("api", "a.b-c_d/e:f", "svc-1")), (1, Gen.Elements(Services)))
        from level in Gen.Frequency((6, Gen.Elements("INFO", "error", "WARNING")), (1, Gen.Elements(LevelNames)))
        from message in Gen.Frequency((12, Text(1, ContractFuzzTests.Limits.MaxMessageLength + 5)), (1, Dirty(20)), (1, Emoji(50)), (1, Gen.Constant("   ")))
        from offsetMinutes in Gen.Frequency((16, Gen.Choose(-60, 50)), (1, Gen.Elements(-30 * 24 * 60 - 1, 61, 100_000_000)), (1, Gen.Constant(int.MinValue)))
        from metadata in Gen.Frequency((2, Gen.Constant<JsonElement?>(null)), (4, Metadata(3).Select(m => (JsonElement?)m)), (1, Metadata(4).Select(m => (JsonElement?)m)))
        from host in Gen.Frequency((6, Gen.Constant<string?>(null)), (3, Letters(1, ContractFuzzTests.Limits.MaxHostLength + 1).Select(h => (string?)h)), (1, Dirty(8).Select(h => (string?)h)))
        from id in Gen.Frequency((6, Gen.Constant<string?>(null)), (3, Text(1, ContractFuzzTests.Limits.MaxIdLength + 2).Select(i => (string?)i)), (1, Dirty(8).Select(h => (string?)h)))
        from extra in Gen.Frequency((4, Gen.Constant<string?>(null)), (1, Gen.Elements<string?>("region", "$set", "", "user")))
        from traceId in Gen.Frequency((4, Gen.Constant<string?>(null)), (1, Gen.Elements<string?>("0123456789abcdef0123456789ABCDEF", "xyz", "")))
        select Build(service, level, message, offsetMinutes, metadata, host, id, extra, traceId);

    private static CandidateEvent Build(string service, string level, string message, int offsetMinutes, JsonElement? metadata, string? host, string? id, string? extra, string? traceId)
    {
        var violations = new List<string>();
        if (message.Length > ContractFuzzTests.Limits.MaxMessageLength)
        {
            violations.Add(nameof(LogLimits.MaxMessageLength));
        }

        if (service.Length > ContractFuzzTests.Limits.MaxServiceLength)
        {
            violations.Add(nameof(LogLimits.MaxServiceLength));
        }

        if (message.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            violations.Add("control character in message");
        }

        if (offsetMinutes != int.MinValue &&
            (TimeSpan.FromMinutes(offsetMinutes) > ContractFuzzTests.Limits.MaxFutureSkew || TimeSpan.FromMinutes(-offsetMinutes) > ContractFuzzTests.Limits.MaxPastAge))
        {
            violations.Add("timestamp window");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (offsetMinutes != int.MinValue)
            {
                var at = Now.AddMinutes(Math.Clamp(offsetMinutes, -5_000_000, 5_000_000));
                writer.WriteString("timestamp", at.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", System.Globalization.CultureInfo.InvariantCulture));
            }

            writer.WriteString("level", level);
            writer.WriteString("service", service);
            writer.WriteString("message", message);
            if (metadata is { } m)
            {
                writer.WritePropertyName("metadata");
                m.WriteTo(writer);
            }

            if (host is not null)
            {
                writer.WriteString("host", host);
            }

            if (id is not null)
            {
                writer.WriteString("id", id);
            }

            if (traceId is not null)
            {
                writer.WriteString("trace_id", traceId);
            }

            if (extra is not null)
            {
                writer.WriteString(extra, "extra value");
            }

            writer.WriteEndObject();
        }

        return new CandidateEvent(buffer.ToArray(), violations);
    }

    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);
}
