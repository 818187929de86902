using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats;

/// <summary>JSON reading shared by the JSON-based shipper formats.</summary>
public static class ShipperJson
{
    // Deep enough for any record the metadata limits allow, shallow enough to stop a hostile body early.
    // A repeated key is refused as in POST /api/logs (LogValueDomain): neither copy is guessed to be the one meant.
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 96, AllowDuplicateProperties = false };

    /// <summary>Each non-blank line of a newline-delimited body, with its 1-based line number.</summary>
    public static IEnumerable<(int Number, ReadOnlyMemory<byte> Line)> Lines(ReadOnlyMemory<byte> body)
    {
        var number = 0;
        while (!body.IsEmpty)
        {
            number++;
            var newline = body.Span.IndexOf((byte)'\n');
            var line = newline < 0 ? body : body[..newline];
            body = newline < 0 ? ReadOnlyMemory<byte>.Empty : body[(newline + 1)..];
            if (!line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                yield return (number, line);
            }
        }
    }

    /// <summary>System.Text.Json checks UTF-8 only when a string is read; a broken body is refused up front.</summary>
    public static void RequireUtf8(ReadOnlyMemory<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            throw new IngestBodyException(LogEventErrorCodes.InvalidText, "body", "is not valid UTF-8");
        }
    }

    public static JsonDocument? TryParse(ReadOnlyMemory<byte> json, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            error = $"not valid JSON ({FirstSentence(ex.Message)})";
            return null;
        }
        catch (InvalidOperationException)
        {
            // The repeated-key check unescapes property names, and throws on half a surrogate pair ("\udfff").
            error = $"not valid JSON ({LogBatchParser.UnpairedSurrogateText})";
            return null;
        }
    }

    /// <summary>Parses a whole body; a body that is not JSON is refused as a whole.</summary>
    public static JsonDocument ParseBody(ReadOnlyMemory<byte> body)
    {
        RequireUtf8(body);
        return TryParse(body, out var error) ?? throw new IngestBodyException(LogEventErrorCodes.NotJson, "body", error!);
    }

    public static string? GetString(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>A string at a dotted path, as either a flat key ("log.level") or nested objects (log → level).</summary>
    public static string? GetPath(this JsonElement element, string path)
    {
        if (element.GetString(path) is { } flat)
        {
            return flat;
        }

        var dot = path.IndexOf('.');
        if (dot < 0 || element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(path[..dot], out var child))
        {
            return null;
        }

        return child.GetPath(path[(dot + 1)..]);
    }

    // The JSON reader's messages end with a position that means little to a sender; keep the reason.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
