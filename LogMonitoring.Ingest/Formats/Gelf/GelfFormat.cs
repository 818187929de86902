using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Gelf;

/// <summary>
/// GELF 1.1 over HTTP (<c>POST /gelf</c>), as Graylog's HTTP input takes it: one JSON message per request,
/// optionally gzip-compressed. Several messages separated by newlines or NUL bytes (GELF's TCP framing)
/// are accepted too. <c>host</c> and <c>short_message</c> are required; <c>full_message</c> and every
/// additional <c>_field</c> become metadata; <c>level</c> is a syslog severity.
/// </summary>
public static class GelfFormat
{
    private static readonly string[] s_serviceFields =
        ["_service", "_service_name", "_app", "_application", "_application_name", "facility", "_container_name", "_tag"];

    public static void Read(ReadOnlyMemory<byte> body, string? defaultService, LogEventBatchBuilder events)
    {
        ShipperJson.RequireUtf8(body);

        // The usual request: one message, possibly pretty-printed over several lines.
        using (var whole = ShipperJson.TryParse(body.TrimEnd((byte)0), out _))
        {
            if (whole?.RootElement.ValueKind == JsonValueKind.Object)
            {
                Write(whole.RootElement, defaultService, events);
                return;
            }
        }

        var any = false;
        foreach (var (number, message) in Messages(body))
        {
            any = true;
            using var document = ShipperJson.TryParse(message, out var error);
            if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
            {
                events.Reject(new LogEventError(error is null ? LogEventErrorCodes.WrongType : LogEventErrorCodes.NotJson, $"message {number}", error ?? "must be a JSON object"));
                continue;
            }

            Write(document.RootElement, defaultService, events);
        }

        if (!any)
        {
            throw new IngestBodyException(LogEventErrorCodes.Empty, "body", "holds no GELF message");
        }
    }

    private static bool IsStandardMetadata(string name) => name is "full_message" or "facility" or "line" or "file";

    private static IEnumerable<(int Number, ReadOnlyMemory<byte> Message)> Messages(ReadOnlyMemory<byte> body)
    {
        var number = 0;
        while (!body.IsEmpty)
        {
            var end = body.Span.IndexOfAny((byte)'\n', (byte)0);
            var message = end < 0 ? body : body[..end];
            body = end < 0 ? ReadOnlyMemory<byte>.Empty : body[(end + 1)..];
            if (!message.Span.Trim(" \t\r"u8).IsEmpty)
            {
                yield return (++number, message);
            }
        }
    }

    private static void Write(JsonElement message, string? defaultService, LogEventBatchBuilder events)
    {
        events.Begin();
        events.WriteService(ShipperFields.FirstOf(name => message.GetString(name), s_serviceFields) ?? defaultService);

        // host and short_message are GELF's required fields; written even when empty so the contract names them.
        if (message.TryGetProperty("host", out var host))
        {
            events.Json.WritePropertyName("host");
            host.WriteTo(events.Json);
        }

        if (message.TryGetProperty("short_message", out var shortMessage))
        {
            events.Json.WritePropertyName("message");
            shortMessage.WriteTo(events.Json);
        }

        if (message.TryGetProperty("timestamp", out var timestamp))
        {
            if (timestamp.ValueKind == JsonValueKind.Number && ShipperFields.FromUnixSeconds(timestamp.GetDouble()) is { } time)
            {
                events.WriteTimestamp(time);
            }
            else
            {
                events.Json.WritePropertyName("timestamp");
                timestamp.WriteTo(events.Json);
            }
        }

        // The specification's default level is 1 (alert); a message without one is far more often routine,
        // and counting it as FATAL would distort error rates, so it is INFO here.
        if (!message.TryGetProperty("level", out var level))
        {
            events.WriteLevel(LogEventLevel.Info);
        }
        else if (level.ValueKind == JsonValueKind.Number && level.TryGetInt64(out var severity) &&
                 ShipperFields.FromSyslogSeverity(severity) is { } fromSyslog)
        {
            events.WriteLevel(fromSyslog);
        }
        else
        {
            // A level name instead of a number is accepted; anything else is refused by the contract, naming it.
            events.WriteLevel(level.ValueKind == JsonValueKind.String ? level.GetString()! : level.GetRawText());
        }

        events.WriteString("trace_id", ShipperFields.HexId(message.GetString("_trace_id"), 32));
        events.WriteString("span_id", ShipperFields.HexId(message.GetString("_span_id"), 16));

        events.BeginMetadata();
        foreach (var property in message.EnumerateObject())
        {
            var name = property.Name;
            if (IsStandardMetadata(name))
            {
                events.WriteMetadata(name, property.Value);
            }
            else if (name.Length > 1 && name[0] == '_' && name != "_id")
            {
                // Additional fields are sent with a leading underscore; GELF reserves _id. Beside a standard
                // field of the same name (GELF 1.0's file and line, sent by some libraries as _file too),
                // the additional field keeps its underscore, whichever comes first.
                var key = IsStandardMetadata(name[1..]) && message.TryGetProperty(name[1..], out _) ? name : name[1..];
                events.WriteMetadata(key, property.Value);
            }
        }

        events.Complete();
    }
}
