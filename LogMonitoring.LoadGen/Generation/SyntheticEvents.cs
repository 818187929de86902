using System.Text;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.LoadGen.Generation;

/// <summary>
/// Makes plausible log events of about a chosen JSON size, from a seed, so every benchmark step
/// (HTTP, the plain producer, the plain store insert) handles the same kind of event.
/// </summary>
public sealed class SyntheticEvents(int targetEventBytes, int seed = 42)
{
    private static readonly string[] s_services = ["api-service", "auth-service", "payment-service"];
    private static readonly string[] s_hosts = ["web-1", "web-2", "web-3", "web-4"];
    private static readonly string[] s_words =
        ["request", "handled", "user", "session", "cache", "lookup", "order", "payment", "token", "refresh",
         "upstream", "latency", "retry", "queue", "commit", "record", "stream", "batch", "index", "shard"];

    // Mostly INFO, as in real traffic; the error share is what an error-rate panel would show.
    private static readonly (LogEventLevel Level, double Share)[] s_levelMix =
        [(LogEventLevel.Debug, 0.10), (LogEventLevel.Info, 0.75), (LogEventLevel.Warn, 0.10), (LogEventLevel.Error, 0.045), (LogEventLevel.Fatal, 0.005)];

    private readonly Random _random = new(seed);

    public int TargetEventBytes { get; } = Math.Max(160, targetEventBytes);

    /// <summary>A new event without ids, as a sender would post it.</summary>
    public LogEvent Next(DateTime timestamp)
    {
        var service = s_services[_random.Next(s_services.Length)];
        var level = PickLevel(_random.NextDouble());
        var metadata = $$"""{"user_id":"{{_random.Next(1, 100_000)}}","duration_ms":{{_random.Next(1, 900)}},"region":"eu-west-{{_random.Next(1, 4)}}"}""";
        var draft = new LogEvent
        {
            Id = "",
            Timestamp = timestamp,
            Level = level,
            Service = service,
            Message = "",
            MetadataJson = metadata,
            Host = s_hosts[_random.Next(s_hosts.Length)],
        };
        var room = TargetEventBytes - SenderJson(draft).Length;
        return draft with { Message = Sentence(Math.Max(12, room)) };
    }

    /// <summary>A new event with the ids ingest would have given it, as it sits on the Kafka topic.</summary>
    public LogEvent NextAccepted(DateTime timestamp)
    {
        var sourceId = LogEventId.NewSourceId();
        var logEvent = Next(timestamp);
        return logEvent with { SourceId = sourceId, Id = LogEventId.ForSource(logEvent.Service, sourceId), ReceivedAt = timestamp };
    }

    /// <summary>The event's JSON as a sender posts it (no ids, no receive time).</summary>
    public static byte[] SenderJson(LogEvent logEvent) =>
        LogEventJson.ToUtf8Bytes(logEvent with { SourceId = null, ReceivedAt = null });

    internal static LogEventLevel PickLevel(double uniform)
    {
        var cumulative = 0.0;
        foreach (var (level, share) in s_levelMix)
        {
            cumulative += share;
            if (uniform < cumulative)
            {
                return level;
            }
        }

        return s_levelMix[^1].Level;
    }

    private string Sentence(int length)
    {
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(s_words[_random.Next(s_words.Length)]);
        }

        return text.ToString(0, length).TrimEnd();
    }
}

/// <summary>How the load generator frames events in an ingest request.</summary>
public enum BodyFormat
{
    /// <summary>application/x-ndjson, one event per line.</summary>
    Ndjson,

    /// <summary>application/json, an array of events.</summary>
    Json,

    /// <summary>application/json, one event per request.</summary>
    Single,
}

/// <summary>One ready-made request body and how many events it holds.</summary>
public sealed record RequestBody(byte[] Content, int Events, string MediaType);

public static class RequestBodies
{
    /// <summary>
    /// Builds <paramref name="count"/> distinct bodies up front, so the generator spends its CPU sending
    /// rather than serializing (it shares the machine with the system under test).
    /// </summary>
    public static IReadOnlyList<RequestBody> Build(SyntheticEvents events, BodyFormat format, int eventsPerRequest, int count, DateTime timestamp)
    {
        var perRequest = format == BodyFormat.Single ? 1 : eventsPerRequest;
        var bodies = new List<RequestBody>(count);
        for (var b = 0; b < count; b++)
        {
            using var buffer = new MemoryStream();
            for (var i = 0; i < perRequest; i++)
            {
                var json = SyntheticEvents.SenderJson(events.Next(timestamp));
                if (format == BodyFormat.Json && perRequest > 1)
                {
                    buffer.WriteByte(i == 0 ? (byte)'[' : (byte)',');
                }

                buffer.Write(json);
                if (format == BodyFormat.Ndjson)
                {
                    buffer.WriteByte((byte)'\n');
                }
            }

            if (format == BodyFormat.Json && perRequest > 1)
            {
                buffer.WriteByte((byte)']');
            }

            bodies.Add(new RequestBody(buffer.ToArray(), perRequest, format == BodyFormat.Ndjson ? "application/x-ndjson" : "application/json"));
        }

        return bodies;
    }

    /// <summary>Reads <c>accepted</c> and the number of <c>rejected</c> entries from a 202 answer.</summary>
    public static (int Accepted, int Rejected) ReadIngestAnswer(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        int accepted = 0, rejected = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                if (reader.ValueTextEquals("accepted"u8))
                {
                    reader.Read();
                    accepted = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("rejected"u8))
                {
                    reader.Read();
                    var depth = reader.CurrentDepth;
                    while (reader.Read() && reader.CurrentDepth > depth)
                    {
                        if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == depth + 1)
                        {
                            rejected++;
                        }
                    }
                }
            }
        }

        return (accepted, rejected);
    }
}
