using System.Runtime.InteropServices;
using System.Text.Json;
using static LogMonitoring.Contracts.LogEventErrorCodes;

namespace LogMonitoring.Contracts;

/// <summary>
/// Turns JSON into a <see cref="LogEvent"/>, applying every rule of the contract, through one of two doors:
/// <list type="bullet">
/// <item><see cref="ReadFromSender"/>: an event as a sender posted it (ingest). Its timestamp must lie in the
/// window around the time it was received, which it is stamped with; an event without an id gets a new one.</item>
/// <item><see cref="ReadFromTopic"/>: a message from the logs topic (persister). The window is not checked (the
/// event may have waited in Kafka), the receive time it carries is kept, and an event without an id is
/// stored under an id derived from its Kafka position.</item>
/// </list>
/// What is wrong is listed as <see cref="LogEventError"/>s, each naming the field and, where one was crossed, the limit.
/// </summary>
public sealed class LogEventReader(LogEventReaderOptions options)
{
    private readonly LogMetadataReader _metadata = new(options.Limits);

    public LogEventReader(LogLimits limits)
        : this(new LogEventReaderOptions { Limits = limits })
    {
    }

    public LogLimits Limits => options.Limits;

    /// <summary>Reads one event a sender posted; null, with the reasons added to <paramref name="errors"/>, when it is refused.</summary>
    /// <param name="receivedAt">When ingest received it: the default timestamp, the centre of the timestamp window, and its receive time.</param>
    public LogEvent? ReadFromSender(JsonElement element, DateTime receivedAt, List<LogEventError> errors) =>
        Read(element, new Door(Now: receivedAt, CheckWindow: true, ReceivedAt: receivedAt, Position: null), errors);

    /// <summary>Reads one message of the logs topic; null, with the reasons added to <paramref name="errors"/>, when it can never be stored.</summary>
    /// <param name="position">Where the message sits: an event that carries no id is stored under an id made from it
    /// (computed only for such an event: it costs a SHA-1 hash).</param>
    public LogEvent? ReadFromTopic(ReadOnlySpan<byte> message, TopicPosition position, List<LogEventError> errors)
    {
        var maxBytes = LogEventJson.MaxMessageBytes(Limits);
        if (message.Length > maxBytes)
        {
            errors.Add(new(TooLarge, "event", $"is {message.Length} bytes, over the limit of {maxBytes} for a topic message ({LogEventJson.MessageAllowance} × {nameof(LogLimits.MaxEventBytes)})"));
            return null;
        }

        if (!System.Text.Unicode.Utf8.IsValid(message))
        {
            errors.Add(new(NotJson, "event", "not valid JSON (the message is not valid UTF-8)"));
            return null;
        }

        JsonDocument document;
        try
        {
            var jsonReader = new Utf8JsonReader(message, new JsonReaderOptions
            {
                AllowTrailingCommas = LogBatchParser.DocumentOptions.AllowTrailingCommas,
                CommentHandling = LogBatchParser.DocumentOptions.CommentHandling,
                MaxDepth = LogBatchParser.DocumentOptions.MaxDepth,
            });
            document = JsonDocument.ParseValue(ref jsonReader);
            if (jsonReader.Read())
            {
                document.Dispose();
                errors.Add(new(NotJson, "event", "unexpected data after the JSON value"));
                return null;
            }
        }
        catch (JsonException ex)
        {
            errors.Add(new(NotJson, "event", $"not valid JSON ({LogBatchParser.Describe(ex)})"));
            return null;
        }

        using (document)
        {
            var now = options.Clock.GetUtcNow().UtcDateTime;
            return Read(document.RootElement, new Door(Now: now, CheckWindow: false, ReceivedAt: null, Position: position), errors);
        }
    }

    /// <summary>What differs between the doors.</summary>
    /// <param name="Now">The default timestamp and the centre of the window.</param>
    /// <param name="ReceivedAt">Stamped on the event; null keeps the receive time the event carries.</param>
    /// <param name="Position">The Kafka position an event without an id takes its store id from; null gives it a new source id instead.</param>
    private readonly record struct Door(DateTime Now, bool CheckWindow, DateTime? ReceivedAt, TopicPosition? Position);

    private LogEvent? Read(JsonElement element, Door door, List<LogEventError> errors)
    {
        try
        {
            return ReadEvent(element, door, errors);
        }
        catch (InvalidOperationException)
        {
            // Valid JSON may still escape half a UTF-16 surrogate pair ("\ud800"): reading such a string or
            // property name throws. It is the sender's broken text, so it is refused like any invalid field.
            errors.Add(new(InvalidText, "event", "a string or key holds a \\u escape that is not valid UTF-16 (an unpaired surrogate)"));
            return null;
        }
    }

    private LogEvent? ReadEvent(JsonElement element, Door door, List<LogEventError> errors)
    {
        var errorCountBefore = errors.Count;
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new(WrongType, "event", $"must be a JSON object, not {LogEventFields.Describe(element.ValueKind)}"));
            return null;
        }

        string? id = null, service = null, message = null, host = null, traceId = null, spanId = null;
        DateTime? timestamp = null, carriedReceivedAt = null;
        LogEventLevel? level = null;
        JsonElement? metadata = null;
        List<JsonProperty>? extras = null;
        var seen = Field.None;

        foreach (var property in element.EnumerateObject())
        {
            var field = KnownField(property);
            if (field != Field.None)
            {
                if ((seen & field) != 0)
                {
                    errors.Add(new(Duplicate, property.Name, "appears more than once"));
                    continue;
                }

                seen |= field;
            }

            switch (field)
            {
                case Field.Id:
                    id = LogEventFields.ReadString(property, Limits.MaxIdLength, nameof(Limits.MaxIdLength), required: false, errors);
                    break;
                case Field.Timestamp:
                    timestamp = LogEventFields.ReadTimestamp(property, errors);
                    break;
                case Field.Level:
                    level = LogEventFields.ReadLevel(property, errors);
                    break;
                case Field.Service:
                    service = LogEventFields.ReadService(property, Limits, errors);
                    break;
                case Field.Message:
                    message = LogEventFields.ReadString(property, Limits.MaxMessageLength, nameof(Limits.MaxMessageLength), required: true, errors, allowLineBreaks: true);
                    break;
                case Field.Metadata:
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        metadata = property.Value;
                    }
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        errors.Add(new(WrongType, "metadata", $"must be a JSON object, not {LogEventFields.Describe(property.Value.ValueKind)}"));
                    }

                    break;
                case Field.Host:
                    host = LogEventFields.ReadString(property, Limits.MaxHostLength, nameof(Limits.MaxHostLength), required: false, errors);
                    break;
                case Field.TraceId:
                    traceId = LogEventFields.ReadHexId(property, 32, errors);
                    break;
                case Field.SpanId:
                    spanId = LogEventFields.ReadHexId(property, 16, errors);
                    break;
                case Field.ReceivedAt:
                    carriedReceivedAt = LogEventFields.ReadTimestamp(property, errors);
                    break;
                default:
                    // Unknown top-level fields are kept, as metadata, rather than silently dropped.
                    (extras ??= []).Add(property);
                    break;
            }
        }

        if ((seen & Field.Service) == 0)
        {
            errors.Add(new(Required, "service", "is required"));
        }

        if ((seen & Field.Message) == 0)
        {
            errors.Add(new(Required, "message", "is required"));
        }

        if ((seen & Field.Level) == 0)
        {
            errors.Add(new(Required, "level", "is required (one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL)"));
        }

        var windowErrors = errors.Count;
        if (timestamp is { } ts && door.CheckWindow)
        {
            LogEventFields.CheckWindow(ts, door.Now, Limits, errors);
        }

        // Every door, the topic included: a store adds retention to the timestamp, and must not overflow.
        if (timestamp is { } t && errors.Count == windowErrors)
        {
            LogValueDomain.CheckTimestamp(t, "timestamp", errors);
        }

        if (carriedReceivedAt is { } r)
        {
            LogValueDomain.CheckTimestamp(r, "received_at", errors);
        }

        var metadataJson = _metadata.Read(metadata, extras, errors);
        if (errors.Count > errorCountBefore)
        {
            return null;
        }

        // The sender door leaves the store id to be derived where it is read: ingest only puts the source id on
        // the topic, and the persister derives the store id from it (here, at the topic door).
        var (storeId, sourceId) = (id, door.Position) switch
        {
            ({ } given, { }) => (LogEventId.ForSource(service!, given), given),
            ({ } given, null) => (null, given),
            (null, { } position) => (position.FallbackStoreId(), null),
            (null, null) => ((string?)null, LogEventId.NewSourceId()),
        };

        return new LogEvent
        {
            Id = storeId,
            SourceId = sourceId,
            Timestamp = timestamp ?? door.Now,
            Level = level!.Value,
            Service = service!,
            Message = message!,
            MetadataJson = metadataJson,
            Host = host,
            TraceId = traceId,
            SpanId = spanId,
            ReceivedAt = door.ReceivedAt ?? carriedReceivedAt,
        };
    }

    [Flags]
    private enum Field
    {
        None = 0, Id = 1, Timestamp = 2, Level = 4, Service = 8, Message = 16, Metadata = 32,
        Host = 64, TraceId = 128, SpanId = 256, ReceivedAt = 512,
    }

    // From the raw UTF-8 name where it holds no escape: reading JsonProperty.Name makes a string for every
    // property of every event, only to compare it with ten constants.
    private static Field KnownField(JsonProperty property)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return raw.Contains((byte)'\\') ? KnownField(property.Name) : KnownField(raw);
    }

    private static Field KnownField(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("id"u8) ? Field.Id
        : name.SequenceEqual("timestamp"u8) ? Field.Timestamp
        : name.SequenceEqual("level"u8) ? Field.Level
        : name.SequenceEqual("service"u8) ? Field.Service
        : name.SequenceEqual("message"u8) ? Field.Message
        : name.SequenceEqual("metadata"u8) ? Field.Metadata
        : name.SequenceEqual("host"u8) ? Field.Host
        : name.SequenceEqual("trace_id"u8) ? Field.TraceId
        : name.SequenceEqual("span_id"u8) ? Field.SpanId
        : name.SequenceEqual("received_at"u8) ? Field.ReceivedAt
        : Field.None;

    private static Field KnownField(string name) => name switch
    {
        "id" => Field.Id,
        "timestamp" => Field.Timestamp,
        "level" => Field.Level,
        "service" => Field.Service,
        "message" => Field.Message,
        "metadata" => Field.Metadata,
        "host" => Field.Host,
        "trace_id" => Field.TraceId,
        "span_id" => Field.SpanId,
        "received_at" => Field.ReceivedAt,
        _ => Field.None,
    };
}
