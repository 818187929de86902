using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Formats.Clef;
using LogMonitoring.Ingest.Formats.Gelf;
using LogMonitoring.Ingest.Formats.Otlp;
using LogMonitoring.Ingest.Pipeline;
using LogMonitoring.Storage.MongoDb;
using LogMonitoring.Storage.Statistics;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace LogMonitoring.Tests.Contracts;

/// <summary>
/// The value domain (<see cref="LogValueDomain"/>) at every entry point, and the MongoDB mapping holding
/// each value of it: the poison classes that once stopped the persister group in MongoDB mode.
/// </summary>
public sealed class ValueDomainTests
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);
    private static readonly LogEventReader Reader = new(new LogLimits());

    private static LogEvent? FromTopic(string json, out List<LogEventError> errors)
    {
        errors = [];
        return Reader.ReadFromTopic(Encoding.UTF8.GetBytes(json), new TopicPosition("logs", 0, 0), errors);
    }

    /// <summary>The MongoDB mapping end to end, without a server: the document as BSON bytes and back.</summary>
    internal static LogEvent ThroughMongoMapping(LogEvent e)
    {
        var store = new MongoLogStore("mongodb://localhost:27017/unused");
        var document = LogDocument.From(e, Now, store.ExpiresAt(e.Level, e.Timestamp));
        var bytes = document.ToBson();
        return BsonSerializer.Deserialize<LogDocument>(bytes).ToEvent();
    }

    [Fact]
    public void An_unsigned_64_bit_counter_in_metadata_is_stored_by_MongoDB_and_comes_back_unchanged()
    {
        var e = FromTopic("""{"level":"INFO","service":"api","message":"m","metadata":{"bytes":18446744073709551615,"n":[1,-9223372036854775809]}}""", out var errors);
        Assert.NotNull(e);

        var back = ThroughMongoMapping(e);

        Assert.Equal("""{"bytes":18446744073709551615,"n":[1,-9223372036854775809]}""", back.MetadataJson);
    }

    [Theory]
    [InlineData("18446744073709551615", BsonType.Decimal128)]
    [InlineData("2147483647", BsonType.Int32)]
    [InlineData("9223372036854775807", BsonType.Int64)]
    [InlineData("0.5", BsonType.Double)]
    [InlineData("1e300", BsonType.Double)]
    [InlineData("0.1000000000000000000001", BsonType.Decimal128)]
    [InlineData("1e400", BsonType.Decimal128)]
    [InlineData("1234567890123456789012345678901234567890", BsonType.Binary)]
    [InlineData("1e99999999999", BsonType.Binary)]
    public void Each_number_takes_the_first_BSON_type_that_holds_it_exactly(string number, BsonType expected)
    {
        var value = MetadataBson.Number(number);

        Assert.Equal(expected, value.BsonType);
        var json = MetadataBson.ToJson(new BsonDocument("n", value));
        Assert.True(DecimalText.SameValue(number, JsonDocument.Parse(json).RootElement.GetProperty("n").GetRawText()), json);
    }

    [Theory]
    [InlineData("18446744073709551615")]
    [InlineData("-2147483648")]
    [InlineData("2147483648")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("12.5")]
    [InlineData("1.0")]
    [InlineData("1e2")]
    [InlineData("1E+2")]
    [InlineData("0.1")]
    [InlineData("4.9e-324")]
    [InlineData("1e309")]
    [InlineData("3.14159265358979323846264338327950288")]
    [InlineData("1234567890123456789012345678901234567890")]
    public void The_metadata_mapping_stores_a_number_as_the_number_rule_chooses(string number)
    {
        var metadata = MetadataBson.ToBson($$$"""{"n":{{{number}}},"in":{"list":[{{{number}}}]}}""");

        var expected = MetadataBson.Number(number);
        Assert.Equal(expected, metadata["n"]);
        Assert.Equal(expected.BsonType, metadata["n"].BsonType);
        Assert.Equal(expected, metadata["in"]["list"][0]);
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"x":{"b":1,"c":[{"d":1,"d":1}]}}""")]
    [InlineData("""{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k3":17}""")]
    public void A_repeated_key_that_slipped_past_the_contract_fails_that_document_alone(string metadata)
    {
        var e = new LogEvent { Id = "x", Timestamp = Now, Level = LogEventLevel.Info, Service = "api", Message = "m", MetadataJson = metadata };

        Assert.Throws<InvalidOperationException>(() => LogDocument.From(e, Now, Now));

        // The next event maps as if nothing had happened; the same key in different objects is no repeat.
        var next = e with { MetadataJson = """{"b":1,"x":{"b":2,"y":{"b":3}},"z":[{"b":4},{"b":5}]}""" };
        Assert.Equal(next, ThroughMongoMapping(next));
    }

    [Theory]
    [InlineData("""{"level":"INFO","service":"api","message":"m","metadata":{"a":1,"a":2}}""", "metadata.a")]
    [InlineData("""{"level":"INFO","service":"api","message":"m","metadata":{"x":{"b":1,"b":1}}}""", "metadata.x.b")]
    [InlineData("""{"level":"INFO","service":"api","message":"m","metadata":{"region":"eu"},"region":"us"}""", "metadata.region")]
    [InlineData("""{"level":"INFO","service":"api","message":"m","region":"eu","region":"us"}""", "metadata.region")]
    public void A_repeated_key_produced_to_the_topic_is_refused_naming_it(string json, string field)
    {
        Assert.Null(FromTopic(json, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal(LogEventErrorCodes.Duplicate, error.Code);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_timestamp_near_the_end_of_time_produced_to_the_topic_is_refused()
    {
        Assert.Null(FromTopic("""{"timestamp":"9999-12-31T23:59:59.9999999Z","level":"INFO","service":"api","message":"m"}""", out var errors));

        var error = Assert.Single(errors);
        Assert.Equal(LogEventErrorCodes.OutOfRange, error.Code);
        Assert.Equal("timestamp", error.Field);
        Assert.Null(FromTopic("""{"timestamp":"1969-12-31T23:59:59Z","level":"INFO","service":"api","message":"m"}""", out _));
        Assert.Null(FromTopic("""{"received_at":"9999-01-01T00:00:00Z","level":"INFO","service":"api","message":"m"}""", out errors));
        Assert.Equal("received_at", Assert.Single(errors).Field);
    }

    [Fact]
    public void The_MongoDB_expiry_of_a_timestamp_near_the_end_of_time_does_not_overflow()
    {
        var store = new MongoLogStore("mongodb://localhost:27017/unused", new RetentionOptions { LogDays = 3650 });

        Assert.Equal(DateTime.MaxValue, store.ExpiresAt(LogEventLevel.Info, DateTime.MaxValue.AddDays(-1)));
        Assert.Equal(LogValueDomain.MaxTimestamp.AddDays(3650), store.ExpiresAt(LogEventLevel.Info, LogValueDomain.MaxTimestamp));
    }

    [Fact]
    public void The_timestamp_window_does_not_overflow_with_a_huge_configured_skew()
    {
        var reader = new LogEventReader(new LogLimits { MaxFutureSkew = TimeSpan.MaxValue, MaxPastAge = TimeSpan.MaxValue });
        var errors = new List<LogEventError>();
        using var document = JsonDocument.Parse("""{"timestamp":"9999-01-01T00:00:00Z","level":"INFO","service":"api","message":"m"}""");

        Assert.Null(reader.ReadFromSender(document.RootElement, Now, errors));
        Assert.Equal(LogEventErrorCodes.OutOfRange, Assert.Single(errors).Code);
    }

    [Fact]
    public void An_unpaired_surrogate_in_a_metadata_value_is_refused()
    {
        Assert.Null(FromTopic("""{"level":"INFO","service":"api","message":"m","metadata":{"a":"x\ud800"}}""", out var errors));

        Assert.Equal(LogEventErrorCodes.InvalidText, Assert.Single(errors).Code);
    }

    [Fact]
    public void A_timestamp_below_the_millisecond_comes_back_from_MongoDB_exactly()
    {
        var at = new DateTime(2024, 1, 15, 10, 30, 0, DateTimeKind.Utc).AddTicks(1_234_567);
        var e = new LogEvent { Id = "x", Timestamp = at, Level = LogEventLevel.Info, Service = "api", Message = "m", ReceivedAt = at.AddTicks(1) };

        Assert.Equal(e, ThroughMongoMapping(e));
    }

    [Fact]
    public void GELF_file_and_file_as_an_additional_field_are_both_kept_under_their_own_names()
    {
        foreach (var message in new[]
        {
            """{"version":"1.1","host":"h","short_message":"m","file":"a.c","_file":"b.c","line":3,"_line":4}""",
            """{"version":"1.1","host":"h","short_message":"m","_file":"b.c","_line":4,"file":"a.c","line":3}""",
        })
        {
            var e = Assert.Single(Read(events => GelfFormat.Read(Encoding.UTF8.GetBytes(message), "svc", events)).Accepted);

            using var metadata = JsonDocument.Parse(e.MetadataJson!);
            Assert.Equal("a.c", metadata.RootElement.GetProperty("file").GetString());
            Assert.Equal("b.c", metadata.RootElement.GetProperty("_file").GetString());
            Assert.Equal(3, metadata.RootElement.GetProperty("line").GetInt32());
            Assert.Equal(4, metadata.RootElement.GetProperty("_line").GetInt32());
            Assert.Equal(e.MetadataJson, ThroughMongoMapping(e).MetadataJson);
        }
    }

    [Fact]
    public void A_repeated_key_in_a_shipper_record_is_refused_as_in_the_native_API()
    {
        var batch = Read(events => ClefFormat.Read(Encoding.UTF8.GetBytes("""
            {"@t":"2024-01-15T12:00:00Z","@m":"one","user":1,"user":2}
            {"@t":"2024-01-15T12:00:00Z","@m":"two","ctx":{"a":1,"a":2}}
            {"@t":"2024-01-15T12:00:00Z","@m":"three","user":1}
            """), "svc", events));

        Assert.Equal("three", Assert.Single(batch.Accepted).Message);
        Assert.Equal([0, 1], batch.Rejected.Select(r => r.Index));
        Assert.All(batch.Rejected, r => Assert.Contains("Duplicate", r.Errors[0], StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_mapping_that_puts_two_fields_under_one_key_keeps_both()
    {
        // A CLEF property named like the key @x is stored under; a repeated attribute in an OTLP list.
        var clef = Assert.Single(Read(events => ClefFormat.Read(Encoding.UTF8.GetBytes(
            """{"@t":"2024-01-15T12:00:00Z","@m":"m","@x":"boom","exception":"mine"}"""), "svc", events)).Accepted);
        Assert.Equal("""{"exception":"boom","_exception":"mine"}""", clef.MetadataJson);

        var record = new LogRecord { TimeUnixNano = (ulong)(Now - DateTime.UnixEpoch).Ticks * 100, Body = new AnyValue { StringValue = "m" } };
        record.Attributes.Add(new KeyValue { Key = "k", Value = new AnyValue { IntValue = 1 } });
        record.Attributes.Add(new KeyValue { Key = "k", Value = new AnyValue { IntValue = 2 } });
        record.Attributes.Add(new KeyValue { Key = "scope", Value = new AnyValue { StringValue = "mine" } });
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(new ResourceLogs { ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = "lib" }, LogRecords = { record } } } });

        var otlp = Assert.Single(Read(events => OtlpLogsFormat.Read(request, "svc", events)).Accepted);
        Assert.Equal("""{"k":1,"_k":2,"scope":"mine","_scope":"lib"}""", otlp.MetadataJson);
    }

    private static LogBatch Read(Action<LogEventBatchBuilder> parse)
    {
        using var events = new LogEventBatchBuilder(Reader, Now);
        parse(events);
        return events.Batch;
    }
}
