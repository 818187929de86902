using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Formats.Clef;
using LogMonitoring.Ingest.Pipeline;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Tests.Contracts;

namespace LogMonitoring.Tests.Storage;

/// <summary>
/// Whatever an entry point accepts, the MongoDB mapping stores and gives back unchanged: the event through
/// <c>POST /api/logs</c>'s parser, a shipper format (CLEF) and the persister's topic reader, then into a
/// <see cref="LogDocument"/>, out as BSON bytes, back in and out as an event. Metadata holds numbers of any
/// size and precision, nesting, non-ASCII text; timestamps lie anywhere around the domain's bounds, to the tick.
/// (SQLite keeps the JSON text and the ticks as they are; the store contract suite runs the same classes on it.)
/// </summary>
public sealed class StoreMappingProperties
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    // The window is the sender door's own rule; wide open here so the domain's bounds are what is tried.
    private static readonly LogEventReader Reader = new(new LogLimits { MaxFutureSkew = TimeSpan.MaxValue, MaxPastAge = TimeSpan.MaxValue, MaxMetadataKeys = 1000 });

    [Property(MaxTest = 1000, Arbitrary = [typeof(DomainGenerators)])]
    public void What_the_native_API_accepts_the_MongoDB_mapping_gives_back_unchanged(DomainEvent candidate)
    {
        var error = new LogBatchParser(Reader).Read(Encoding.UTF8.GetBytes(candidate.Json(receivedAt: false)), LogBatchFormat.Json, Now, out var batch);
        Assert.Null(error);
        AssertRoundTrips(candidate, batch.Accepted);
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(DomainGenerators)])]
    public void What_the_topic_reader_accepts_the_MongoDB_mapping_gives_back_unchanged(DomainEvent candidate)
    {
        var errors = new List<LogEventError>();
        var e = Reader.ReadFromTopic(Encoding.UTF8.GetBytes(candidate.Json(receivedAt: true)), new TopicPosition("logs", 0, 0), errors);
        AssertRoundTrips(candidate, e is null ? [] : [e]);
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(DomainGenerators)])]
    public void What_a_shipper_format_accepts_the_MongoDB_mapping_gives_back_unchanged(DomainEvent candidate)
    {
        using var events = new LogEventBatchBuilder(Reader, Now);
        ClefFormat.Read(Encoding.UTF8.GetBytes(candidate.Clef()), "svc", events);
        AssertRoundTrips(candidate, events.Batch.Accepted);
    }

    [Fact]
    public void The_generated_events_reach_both_sides_of_the_timestamp_bounds()
    {
        var samples = DomainGenerators.DomainEvents().Generator.Sample(500, 20).ToList();
        var inside = samples.Count(s => LogValueDomain.Contains(s.Timestamp));
        TestContext.Current.SendDiagnosticMessage($"{inside} of {samples.Count} generated timestamps inside the domain");

        Assert.InRange(inside, samples.Count / 2, samples.Count - 10);
        Assert.Contains(samples, s => s.MetadataJson.Contains("18446744073709551615", StringComparison.Ordinal) || s.MetadataJson.Length > 60);
    }

    private static void AssertRoundTrips(DomainEvent candidate, List<LogEvent> accepted)
    {
        // Accepted exactly when its timestamp is inside the domain: the bounds hold at this entry point.
        Assert.Equal(LogValueDomain.Contains(candidate.Timestamp) ? 1 : 0, accepted.Count);
        foreach (var e in accepted)
        {
            var back = ValueDomainTests.ThroughMongoMapping(e);
            Assert.Equal(e with { MetadataJson = null }, back with { MetadataJson = null });
            Assert.True(JsonValues.Same(e.MetadataJson, back.MetadataJson), $"sent {e.MetadataJson}\ngot  {back.MetadataJson}");
        }
    }
}

/// <summary>JSON values compared as values: numbers by their exact decimal value, keys in order.</summary>
public static class JsonValues
{
    public static bool Same(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a == b;
        }

        using var x = JsonDocument.Parse(a);
        using var y = JsonDocument.Parse(b);
        return Same(x.RootElement, y.RootElement);
    }

    public static bool Same(JsonElement a, JsonElement b) => (a.ValueKind, b.ValueKind) switch
    {
        (JsonValueKind.Number, JsonValueKind.Number) => DecimalText.SameValue(a.GetRawText(), b.GetRawText()),
        (JsonValueKind.Object, JsonValueKind.Object) =>
            a.EnumerateObject().Select(p => p.Name).SequenceEqual(b.EnumerateObject().Select(p => p.Name)) &&
            a.EnumerateObject().Zip(b.EnumerateObject()).All(p => Same(p.First.Value, p.Second.Value)),
        (JsonValueKind.Array, JsonValueKind.Array) =>
            a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Same(p.First, p.Second)),
        _ => JsonElement.DeepEquals(a, b),
    };
}

/// <summary>An event inside or just outside the value domain, written as each entry point takes it.</summary>
public sealed record DomainEvent(DateTime Timestamp, string Message, string MetadataJson)
{
    private string Time => Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    public string Json(bool receivedAt) =>
        $$"""{"timestamp":"{{Time}}","level":"WARN","service":"api","message":{{JsonSerializer.Serialize(Message)}},"metadata":{{MetadataJson}}{{(receivedAt ? $",\"received_at\":\"{Time}\"" : "")}}}""";

    // CLEF carries metadata as the record's own properties.
    public string Clef() => $$"""{"@t":"{{Time}}","@l":"Warning","@m":{{JsonSerializer.Serialize(Message)}}{{(MetadataJson == "{}" ? "" : "," + MetadataJson[1..^1])}}}""";

    public override string ToString() => Json(receivedAt: true);
}

public static class DomainGenerators
{
    private static readonly string[] Numbers =
    [
        "0", "-0", "0.0", "-0.0", "1", "-1", "2147483648", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "18446744073709551615", "-18446744073709551616", "0.1", "0.5", "1.0", "1e2", "1E+2", "1.5e-7", "123.456e5",
        "1e300", "1e308", "1e309", "-1e400", "1e-400", "4.9e-324", "0.1000000000000000000001", "3.14159265358979323846264338327950288",
        "1234567890123456789012345678901234567890", "1e6144", "1e6145", "1e99999999999", "12345678901234567890.12345678901234567890e-10",
    ];

    public static Arbitrary<DomainEvent> DomainEvents() =>
        (from timestamp in Timestamps()
         from message in Text(0, 20).Select(t => "m" + t)
         from metadata in Object(3)
         select new DomainEvent(timestamp, message, metadata)).ToArbitrary();

    private static Gen<DateTime> Timestamps()
    {
        var min = LogValueDomain.MinTimestamp.Ticks;
        var max = LogValueDomain.MaxTimestamp.Ticks;
        Gen<long> Near(long at) => Gen.Choose(-100_000, 100_000).Select(d => at + d);
        return Gen.Frequency(
                (4, Gen.Choose(0, int.MaxValue).Select(r => min + (long)((max - min) * (r / (double)int.MaxValue)))),
                (1, Near(min)),
                (1, Near(max)),
                (1, Gen.Elements(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks - 10_000_000)))
            .Select(ticks => new DateTime(Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
    }

    private static Gen<string> Text(int min, int max) =>
        Gen.Choose(min, max).SelectMany(length => Gen.ArrayOf(Gen.Frequency(
            (20, Gen.Choose('a', 'z').Select(c => (char)c)),
            (2, Gen.Elements(' ', '"', '\\', '<', '&', '\'')),
            (2, Gen.Elements('é', '日', 'ß', '€', '\u2028'))), length))
        .Select(chars => new string(chars));

    private static Gen<string> Number() =>
        Gen.Frequency(
            (3, Gen.Elements(Numbers)),
            (2, Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue)).Select(p => ((long)p.Item1 * p.Item2).ToString(CultureInfo.InvariantCulture))),
            (2, Gen.Choose(1, 60).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n)).Select(d => "1" + string.Concat(d))),
            (2, from whole in Gen.Choose(0, 100_000)
                from fraction in Gen.Choose(0, 999_999)
                from exponent in Gen.Choose(-400, 400)
                select $"{whole}.{fraction:D6}e{exponent}"));

    private static Gen<string> Value(int depth) =>
        depth <= 0
            ? Gen.Frequency((4, Number()), (3, Text(0, 8).Select(s => JsonSerializer.Serialize(s))), (1, Gen.Elements("true", "false", "null")))
            : Gen.Frequency(
                (4, Value(0)),
                (1, Object(depth - 1)),
                (1, Gen.Choose(0, 3).SelectMany(n => Gen.ListOf(Value(depth - 1), n)).Select(items => "[" + string.Join(",", items) + "]")));

    private static Gen<string> Object(int depth) =>
        Gen.Choose(0, 4)
            .SelectMany(n => Gen.ListOf(Gen.Zip(Text(1, 6).Where(k => !k.StartsWith('@')), Value(depth)), n))
            .Select(pairs => "{" + string.Join(",", pairs.DistinctBy(p => p.Item1).Select(p => JsonSerializer.Serialize(p.Item1) + ":" + p.Item2)) + "}");
}
