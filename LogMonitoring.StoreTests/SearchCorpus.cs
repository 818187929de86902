using LogMonitoring.Contracts;

namespace LogMonitoring.StoreTests;

/// <summary>
/// A few hundred logs with everything the query language distinguishes: several services and hosts,
/// trace ids, Unicode messages in different cases, metadata strings, numbers, booleans, arrays and
/// nested objects, and timestamps shared by many logs (so the id tie-break matters).
/// </summary>
public static class SearchCorpus
{
    public static readonly DateTime T0 = new(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    public const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";

    public static readonly string[] Messages =
    [
        "User login successful", "Payment gateway timed out", "TIMED OUT waiting for lock", "disk full on /var",
        "ΣΊΣΥΦΟΣ rolled the stone", "σίσυφος rolled it again", "Straße gesperrt", "STRASSE offen", "Kelvin reads 5 \u212A",
        "k is for kelvin", "İstanbul office", "ISTANBUL depot", "job finished 100% done", "literal (a+)+$ in a message",
        "quote \" inside", "emoji 😀 here", "timeout after 30s", "a", "ab",
    ];

    public static List<LogEvent> Events(int count = 300)
    {
        var random = new Random(16);
        string[] services = ["api-service", "auth-service", "payment-service", "web"];
        string?[] hosts = ["web-1", "web-2", "web-10", "db-1", null];
        var events = new List<LogEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var metadata = (i % 7) switch
            {
                0 => "{\"user_id\":\"u" + (i % 5) + "\",\"duration_ms\":" + random.Next(0, 1000) + ",\"http\":{\"status\":" + (i % 3 == 0 ? 500 : 200) + ",\"route\":\"/api/orders\"}}",
                1 => "{\"user_id\":12345,\"duration_ms\":" + random.Next(0, 1000) + ".5,\"tags\":[\"a\",\"b\"],\"flag\":true}",
                2 => """{"user_id":"u1","duration_ms":"500","flag":false,"http":{"status":"404","route":"/api/users"}}""",
                3 => "{\"user\":{\"id\":\"u" + (i % 3) + "\"},\"tags\":[\"b\",\"c\"],\"duration_ms\":" + random.Next(0, 1000) + "}",
                4 => null,
                5 => "{\"http\":{\"status\":" + (i % 2 == 0 ? 404 : 503) + ",\"route\":\"/api/pay\"},\"user_id\":\"u2\"}",
                _ => """{"nested":{"ok":true},"endpoint":"/health"}""",
            };
            var service = services[random.Next(services.Length)];
            events.Add(new LogEvent
            {
                Id = LogEventId.ForSource(service, $"c{i}"),
                SourceId = $"c{i}",
                // Groups of logs share a second, so pages must break ties by id.
                Timestamp = T0.AddSeconds(i / 4),
                Level = (LogEventLevel)random.Next(6),
                Service = service,
                Message = Messages[random.Next(Messages.Length)] + (i % 5 == 0 ? $" #{i}" : ""),
                MetadataJson = metadata,
                Host = hosts[random.Next(hosts.Length)],
                TraceId = i % 10 == 0 ? Trace : i % 10 == 1 ? $"{i:x32}" : null,
                SpanId = i % 10 == 0 ? "00f067aa0ba902b7" : null,
                ReceivedAt = T0.AddSeconds((i / 4) + 1),
            });
        }

        return events;
    }

    /// <summary>Queries covering each operator on each kind of value; each store must agree with the brute force.</summary>
    public static readonly string[] Queries =
    [
        "service:api-service AND user_id:u1",
        $"trace_id:{Trace}",
        "\"timed out\" AND NOT level:INFO",
        "duration_ms>500",
        "level:ERROR,FATAL AND (host:web-1 OR host:web-2)",
        "timed", "TIMED", "σίσυφος", "ΣΊΣΥΦΟΣ", "kelvin", "\u212A", "straße", "strasse", "istanbul", "i̇stanbul", "😀", "100%", "\"(a+)+$\"",
        "\"quote \\\" inside\"", "a", "ab", "b", "x", "\"rolled the\"", "rolled -stone", "NOT timeout",
        "user_id:12345", "user_id:\"12345\"", "user_id:u1,u2", "user_id:u*", "user_id:*", "NOT user_id:*", "-user_id:u1",
        "user.id:u1", "metadata.user.id:*", "http.status:500", "http.status:\"404\"", "http.status:404", "http.status>=500", "http.status<300",
        "http.route:/api/*", "endpoint:\"/health\"", "tags:b", "tags:a,c", "NOT tags:b", "flag:true", "flag:false", "NOT flag:true",
        "nested.ok:true", "nested:*", "duration_ms>=500", "duration_ms<100.5", "duration_ms:500", "duration_ms:\"500\"", "duration_ms>a",
        "host:web-*", "host:web-1*", "host>=web-10", "host!=web-1", "NOT host:*", "host:*", "span_id:*", "trace_id:*",
        "level>=WARN", "level<INFO", "level:warning", "service!=web", "service:api*", "id:*",
        "timestamp>=2024-03-01T12:00:30Z AND timestamp<2024-03-01T12:01:00Z", "timestamp:2024-03-01T12:00:10Z",
        "(timeout OR disk) AND (service:web OR level:FATAL)", "NOT (level:INFO OR level:DEBUG) AND http.status:*",
        "message:\"full on\"", "message:done,office", "\"\\\\\"",
    ];
}
