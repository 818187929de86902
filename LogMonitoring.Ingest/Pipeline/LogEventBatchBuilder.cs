using System.Buffers;
using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Pipeline;

/// <summary>
/// Collects one request's events in <see cref="Batch"/>, accepted or rejected, indexed in the order the
/// records appear in the request. Shipper formats write each record as a JSON object in our event format,
/// which the contract's sender door reads, so every format meets exactly the validation and limits that
/// <c>POST /api/logs</c> does.
/// </summary>
public sealed class LogEventBatchBuilder : IDisposable
{
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = false };

    private readonly LogEventReader _reader;
    private readonly DateTime _now;
    private readonly HashSet<string> _metadataKeys = new(StringComparer.Ordinal);
    // Made by the first Begin: POST /api/logs reads its body itself and only collects into Batch.
    private ArrayBufferWriter<byte>? _buffer;
    private Utf8JsonWriter? _writer;
    private bool _inMetadata;

    public LogEventBatchBuilder(LogEventReader reader, DateTime now)
    {
        _reader = reader;
        _now = now;
    }

    public LogBatch Batch { get; } = new();

    public LogLimits Limits => _reader.Limits;

    /// <summary>The receiving clock: the timestamp of records that carry none.</summary>
    public DateTime Now => _now;

    /// <summary>The writer of the current event's object; valid between <see cref="Begin"/> and <see cref="Complete"/>.</summary>
    public Utf8JsonWriter Json => _writer ?? throw new InvalidOperationException($"{nameof(Begin)} an event before writing it.");

    private ArrayBufferWriter<byte> Buffer => _buffer ?? throw new InvalidOperationException($"{nameof(Begin)} an event before writing it.");

    /// <summary>Starts the next event. Refuses the whole body once it holds more events than the limit allows.</summary>
    public void Begin()
    {
        if (Batch.Total >= _reader.Limits.MaxBatchEvents)
        {
            throw TooManyEvents();
        }

        _buffer ??= new ArrayBufferWriter<byte>(1024);
        _writer ??= new Utf8JsonWriter(_buffer, s_writerOptions);
        _buffer.ResetWrittenCount();
        _writer.Reset();
        _writer.WriteStartObject();
        _inMetadata = false;
        _metadataKeys.Clear();
    }

    public void WriteTimestamp(DateTime utc) => Json.WriteString("timestamp", DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    public void WriteLevel(LogEventLevel level) => Json.WriteString("level", level.ToWireName());

    /// <summary>Writes a level the record spelled itself; an unknown spelling is refused by the contract, naming it.</summary>
    public void WriteLevel(string level) => Json.WriteString("level", level);

    public void WriteService(string? service)
    {
        if (ServiceName.Clean(service, _reader.Limits.MaxServiceLength) is { } name)
        {
            Json.WriteString("service", name);
        }
    }

    public void WriteString(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Json.WriteString(name, value);
        }
    }

    /// <summary>Opens the metadata object; the format writes its properties with <see cref="Json"/> and the helpers below.</summary>
    public void BeginMetadata()
    {
        Json.WriteStartObject("metadata");
        _inMetadata = true;
    }

    public void EndMetadata()
    {
        Json.WriteEndObject();
        _inMetadata = false;
    }

    /// <summary>
    /// Copies a JSON value into metadata. Keys starting with '$' (Serilog's <c>$type</c>) would read as
    /// MongoDB operators and are refused by the contract, so they are kept under '_' instead.
    /// </summary>
    public void WriteMetadata(string key, JsonElement value)
    {
        Json.WritePropertyName(MetadataKey(key));
        CopyValue(value);
    }

    /// <summary>
    /// The top-level metadata key to write <paramref name="key"/> under. A mapping never writes a key twice
    /// (the contract refuses a repeated key): where two fields of one record map to the same key (GELF's
    /// <c>file</c> and <c>_file</c>, a CLEF property named <c>exception</c> beside <c>@x</c>, a repeated
    /// attribute in a protobuf list), the first keeps it and each later one gets a '_' in front, so nothing is dropped.
    /// </summary>
    public string MetadataKey(string key) => UniqueKey(_metadataKeys, key);

    /// <summary>The same rule inside a nested object a mapping builds from a list (labels, attributes).</summary>
    public static string UniqueKey(HashSet<string> written, string key)
    {
        var safe = SafeKey(key);
        while (!written.Add(safe))
        {
            safe = "_" + safe;
        }

        return safe;
    }

    public static string SafeKey(string key) => key.Length > 0 && key[0] == '$' ? string.Concat("_", key.AsSpan(1)) : key;

    private void CopyValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                Json.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    Json.WritePropertyName(SafeKey(property.Name));
                    CopyValue(property.Value);
                }

                Json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                Json.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    CopyValue(item);
                }

                Json.WriteEndArray();
                break;
            default:
                value.WriteTo(Json);
                break;
        }
    }

    /// <summary>
    /// Closes the event and validates it; it lands in <see cref="Batch"/> as accepted or rejected.
    /// Returns the accepted event, or null with the reasons in the batch's last rejection.
    /// </summary>
    public LogEvent? Complete()
    {
        if (_inMetadata)
        {
            EndMetadata();
        }

        Json.WriteEndObject();
        Json.Flush();
        var index = Batch.Total;
        if (Buffer.WrittenCount > _reader.Limits.MaxEventBytes)
        {
            Batch.Rejected.Add(new LogEventRejection(index,
                [new LogEventError(LogEventErrorCodes.TooLarge, "event",
                    $"is {Buffer.WrittenCount} bytes as a log event, over the limit of {_reader.Limits.MaxEventBytes} ({nameof(LogLimits.MaxEventBytes)})")]));
            return null;
        }

        using var document = JsonDocument.Parse(Buffer.WrittenMemory);
        var errors = new List<LogEventError>(0);
        if (_reader.ReadFromSender(document.RootElement, _now, errors) is { } logEvent)
        {
            Batch.Accepted.Add(logEvent);
            return logEvent;
        }

        Batch.Rejected.Add(new LogEventRejection(index, errors));
        return null;
    }

    /// <summary>Records a record that could not even be turned into an event (e.g. a line that is not JSON).</summary>
    public void Reject(LogEventError error)
    {
        if (Batch.Total >= _reader.Limits.MaxBatchEvents)
        {
            throw TooManyEvents();
        }

        Batch.Rejected.Add(new LogEventRejection(Batch.Total, [error]));
    }

    private IngestBodyException TooManyEvents() => new(LogEventErrorCodes.TooLarge, "body",
        $"holds more than {_reader.Limits.MaxBatchEvents} events, the limit ({nameof(LogLimits.MaxBatchEvents)})");

    public void Dispose() => _writer?.Dispose();
}
