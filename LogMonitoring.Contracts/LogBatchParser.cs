using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using static LogMonitoring.Contracts.LogEventErrorCodes;

namespace LogMonitoring.Contracts;

/// <summary>How the events of one request were framed.</summary>
public enum LogBatchFormat
{
    /// <summary>One JSON object, or a JSON array of objects.</summary>
    Json,

    /// <summary>Newline-delimited JSON: one object per line.</summary>
    Ndjson,
}

/// <summary>An event refused by validation, by its position in the request, with what is wrong with it.</summary>
public sealed record LogEventRejection(int Index, IReadOnlyList<LogEventError> Problems)
{
    /// <summary>Each problem as <c>"field: message"</c>, the form the API has always answered with.</summary>
    public IReadOnlyList<string> Errors => Problems.Select(p => p.ToString()).ToList();
}

/// <summary>The outcome of parsing one request body.</summary>
public sealed class LogBatch
{
    public List<LogEvent> Accepted { get; } = [];

    public List<LogEventRejection> Rejected { get; } = [];

    public int Total => Accepted.Count + Rejected.Count;
}

/// <summary>Why a whole body was refused; <see cref="TooLarge"/> maps to 413, the rest to 400.</summary>
public sealed record LogBatchError(string Code, string Field, string Detail)
{
    public bool TooLarge => Code == LogEventErrorCodes.TooLarge;
}

/// <summary>
/// Parses a request body of log events (a JSON object, a JSON array, or NDJSON) and validates each
/// event. Invalid events are listed by index; the valid ones are kept.
/// </summary>
public sealed class LogBatchParser(LogEventReader reader)
{
    // Deeper than any event the limits allow, shallow enough that a hostile body cannot exhaust the stack.
    // Repeated keys are not the parser's to refuse: LogEventReader refuses them per event, naming the key
    // (the rest of the body is kept), and the parser's own check doubled the cost of parsing.
    internal static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 96,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    public LogEventReader Reader { get; } = reader;

    public LogBatchError? Read(ReadOnlyMemory<byte> body, LogBatchFormat format, DateTime now, out LogBatch batch)
    {
        batch = new LogBatch();
        return Read(body, format, now, batch);
    }

    /// <summary>Parses into <paramref name="batch"/>, where the caller collects a request's events.</summary>
    /// <param name="now">When the body was received: the sender door's receive time.</param>
    public LogBatchError? Read(ReadOnlyMemory<byte> body, LogBatchFormat format, DateTime now, LogBatch batch)
    {
        // The JSON reader checks UTF-8 only when a string is read; refuse a broken body up front.
        if (!Utf8.IsValid(body.Span))
        {
            return new LogBatchError(InvalidText, "body", "is not valid UTF-8");
        }

        return format == LogBatchFormat.Ndjson ? ParseNdjson(body, now, batch) : ParseJson(body, now, batch);
    }

    private LogBatchError? ParseJson(ReadOnlyMemory<byte> body, DateTime now, LogBatch batch)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return new LogBatchError(NotJson, "body", $"not valid JSON: {Describe(ex)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                var count = root.GetArrayLength();
                if (count == 0)
                {
                    return new LogBatchError(Empty, "body", "the array holds no events");
                }

                if (count > Reader.Limits.MaxBatchEvents)
                {
                    return BatchTooLarge(count);
                }

                var index = 0;
                foreach (var element in root.EnumerateArray())
                {
                    if (ReadEvent(element, index, now, batch) is { } error)
                    {
                        return error;
                    }

                    index++;
                }

                return null;
            }

            if (root.ValueKind == JsonValueKind.Object)
            {
                return ReadEvent(root, 0, now, batch);
            }

            return new LogBatchError(WrongType, "body", $"must be a JSON object or an array of objects, not {LogEventFields.Describe(root.ValueKind)}");
        }
    }

    private LogBatchError? ParseNdjson(ReadOnlyMemory<byte> body, DateTime now, LogBatch batch)
    {
        var rest = body;
        var index = 0;
        while (!rest.IsEmpty)
        {
            var newline = rest.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? ReadOnlyMemory<byte>.Empty : rest[(newline + 1)..];
            if (line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (index >= Reader.Limits.MaxBatchEvents)
            {
                return BatchTooLarge(index + 1 + CountLines(rest.Span));
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, DocumentOptions);
            }
            catch (JsonException ex)
            {
                batch.Rejected.Add(new LogEventRejection(index, [new LogEventError(NotJson, $"line {index + 1}", $"not valid JSON ({Describe(ex)})")]));
                index++;
                continue;
            }

            using (document)
            {
                if (ReadEvent(document.RootElement, index, now, batch, line.Length) is { } error)
                {
                    return error;
                }
            }

            index++;
        }

        return index == 0 ? new LogBatchError(Empty, "body", "holds no events") : null;
    }

    private LogBatchError? ReadEvent(JsonElement element, int index, DateTime now, LogBatch batch, int? knownSize = null)
    {
        var size = knownSize ?? JsonMarshal.GetRawUtf8Value(element).Length;
        if (size > Reader.Limits.MaxEventBytes)
        {
            return new LogBatchError(
                TooLarge,
                $"[{index}]",
                $"event {index} is {size} bytes, over the limit of {Reader.Limits.MaxEventBytes} ({nameof(LogLimits.MaxEventBytes)})");
        }

        var errors = new List<LogEventError>(0);
        if (Reader.ReadFromSender(element, now, errors) is { } logEvent)
        {
            batch.Accepted.Add(logEvent);
        }
        else
        {
            batch.Rejected.Add(new LogEventRejection(index, errors));
        }

        return null;
    }

    private LogBatchError BatchTooLarge(int count) => new(
        TooLarge,
        "body",
        $"holds {count} events, over the limit of {Reader.Limits.MaxBatchEvents} ({nameof(LogLimits.MaxBatchEvents)})");

    private static int CountLines(ReadOnlySpan<byte> rest)
    {
        var count = 0;
        foreach (var range in rest.Split((byte)'\n'))
        {
            if (!rest[range].Trim(" \t\r"u8).IsEmpty)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Why a body whose property name escapes half a surrogate pair is not valid JSON.</summary>
    public const string UnpairedSurrogateText = "a property name holds a \\u escape that is not valid UTF-16 (an unpaired surrogate)";

    internal static string Describe(JsonException ex) =>
        ex.LineNumber is { } line
            ? $"{FirstSentence(ex.Message)} at line {line + 1}, byte {ex.BytePositionInLine + 1}"
            : FirstSentence(ex.Message);

    // The parser's messages end with a path and position we already report; keep the reason only.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        cut = cut < 0 ? position : position < 0 ? cut : Math.Min(cut, position);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
