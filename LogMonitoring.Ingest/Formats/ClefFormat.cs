using System.Text.Json;
using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Formats;

/// <summary>
/// Seq's Compact Log Event Format (CLEF), as Serilog.Sinks.Seq and seqcli send it: one JSON object per
/// line with <c>@t</c> time, <c>@mt</c> template or <c>@m</c> message, <c>@l</c> level, <c>@x</c>
/// exception, <c>@r</c> renderings, <c>@tr</c>/<c>@sp</c> trace context, and the event's properties.
/// </summary>
public static class ClefFormat
{
    public const string MediaType = "application/vnd.serilog.clef";

    // Where Serilog users usually put the application's name (enrichers, OpenTelemetry conventions).
    private static readonly string[] s_serviceProperties =
        ["service", "Service", "service.name", "ServiceName", "service_name", "Application", "ApplicationName", "application", "App", "app"];

    private static readonly string[] s_hostProperties = ["host", "Host", "host.name", "MachineName", "HostName", "hostname"];

    public static void Read(ReadOnlyMemory<byte> body, string? defaultService, ShipperEventWriter events)
    {
        ShipperJson.RequireUtf8(body);
        var any = false;
        foreach (var (number, line) in ShipperJson.Lines(body))
        {
            any = true;
            using var document = ShipperJson.TryParse(line, out var error);
            if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
            {
                events.Reject(new LogEventError(error is null ? LogEventErrorCodes.WrongType : LogEventErrorCodes.NotJson, $"line {number}", error ?? "must be a JSON object"));
                continue;
            }

            Write(document.RootElement, defaultService, events);
        }

        if (!any)
        {
            throw new ShipperBodyException("body", "holds no events");
        }
    }

    private static void Write(JsonElement record, string? defaultService, ShipperEventWriter events)
    {
        events.Begin();
        var service = ShipperFields.FirstOf(name => record.GetString(name), s_serviceProperties)
                      ?? (record.TryGetProperty("@ra", out var resource) ? resource.GetString("service.name") : null)
                      ?? defaultService;
        events.WriteService(service);
        events.WriteString("host", ShipperFields.FirstOf(name => record.GetString(name), s_hostProperties));

        if (record.GetString("@t") is { } timestamp)
        {
            events.WriteString("timestamp", timestamp);
        }

        // CLEF leaves @l out for Information.
        if (record.GetString("@l") is { } level)
        {
            events.WriteLevel(level);
        }
        else
        {
            events.WriteLevel(LogEventLevel.Info);
        }

        var exception = record.GetString("@x");
        var template = record.GetString("@mt");
        var message = record.GetString("@m")
                      ?? (template is null ? null : RenderTemplate(record, template))
                      ?? FirstLine(exception);
        events.WriteString("message", message);
        events.WriteString("trace_id", record.GetString("@tr"));
        events.WriteString("span_id", record.GetString("@sp"));

        events.BeginMetadata();
        foreach (var property in record.EnumerateObject())
        {
            var name = property.Name;
            if (name.StartsWith("@@", StringComparison.Ordinal))
            {
                // A property whose own name starts with '@' is escaped as '@@'.
                events.WriteMetadata(name[1..], property.Value);
            }
            else if (name.Length > 0 && name[0] == '@')
            {
                if (ReifiedName(name) is { } key)
                {
                    events.WriteMetadata(key, property.Value);
                }
            }
            else
            {
                events.WriteMetadata(name, property.Value);
            }
        }

        events.Complete();
    }

    /// <summary>Where a CLEF '@' field goes in metadata; null for those that became top-level fields.</summary>
    private static string? ReifiedName(string name) => name switch
    {
        "@t" or "@m" or "@l" or "@tr" or "@sp" or "@r" => null,
        "@mt" => "message_template",
        "@x" => "exception",
        "@i" => "event_id",
        "@ra" => "resource",
        "@sa" => "scope_attributes",
        "@sc" => "scope",
        "@st" => "span_start",
        "@ps" => "parent_span_id",
        "@sk" => "span_kind",
        _ => name[1..],
    };

    private static string RenderTemplate(JsonElement record, string template)
    {
        var renderings = record.TryGetProperty("@r", out var r) && r.ValueKind == JsonValueKind.Array ? r : default;
        return MessageTemplate.Render(template, hole =>
        {
            // Serilog sends the text of each formatted hole in @r, in order, because only it knows .NET's formats.
            if (hole.FormattedIndex >= 0 && renderings.ValueKind == JsonValueKind.Array &&
                hole.FormattedIndex < renderings.GetArrayLength() &&
                renderings[hole.FormattedIndex].ValueKind == JsonValueKind.String)
            {
                return renderings[hole.FormattedIndex].GetString();
            }

            return record.TryGetProperty(hole.Name, out var value) ? MessageTemplate.RenderJson(value, hole.Format) : null;
        });
    }

    private static string? FirstLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
