using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LogMonitoring.Ingest.Formats;

/// <summary>One hole of a message template: <c>{Name}</c>, <c>{@Name}</c>, <c>{Name,10:0.00}</c>.</summary>
/// <param name="FormattedIndex">The hole's position among the holes that carry a format (CLEF's <c>@r</c> follows it).</param>
public readonly record struct TemplateHole(string Name, string? Format, int FormattedIndex);

/// <summary>
/// Renders message templates (messagetemplates.org), the form Serilog and Microsoft.Extensions.Logging
/// send: <c>"User {UserId} signed in"</c> plus properties. A hole whose property is missing, or that is
/// not a valid hole, stays in the text as written, so rendering never loses what the sender wrote.
/// </summary>
public static class MessageTemplate
{
    /// <param name="valueOf">The text of a hole's property, or null when the record has no such property.</param>
    public static string Render(string template, Func<TemplateHole, string?> valueOf)
    {
        if (template.AsSpan().IndexOfAny('{', '}') < 0)
        {
            return template;
        }

        var text = new StringBuilder(template.Length + 32);
        var formatted = 0;
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '}' || (c == '{' && i + 1 < template.Length && template[i + 1] == '{'))
            {
                // "{{" and "}}" are escaped braces; a lone "}" is kept as it is.
                text.Append(c);
                i += i + 1 < template.Length && template[i + 1] == c ? 2 : 1;
                continue;
            }

            if (c != '{')
            {
                text.Append(c);
                i++;
                continue;
            }

            var close = template.IndexOf('}', i + 1);
            if (close < 0 || !TryParseHole(template.AsSpan(i + 1, close - i - 1), out var name, out var alignment, out var format))
            {
                text.Append(c);
                i++;
                continue;
            }

            var hole = new TemplateHole(name, format, format is null ? -1 : formatted++);
            var value = valueOf(hole);
            if (value is null)
            {
                text.Append(template, i, close - i + 1);
            }
            else if (alignment is { } width)
            {
                text.Append(width < 0 ? value.PadRight(-width) : value.PadLeft(width));
            }
            else
            {
                text.Append(value);
            }

            i = close + 1;
        }

        return text.ToString();
    }

    private static bool TryParseHole(ReadOnlySpan<char> hole, out string name, out int? alignment, out string? format)
    {
        name = "";
        alignment = null;
        format = null;
        var colon = hole.IndexOf(':');
        if (colon >= 0)
        {
            format = hole[(colon + 1)..].ToString();
            hole = hole[..colon];
        }

        var comma = hole.IndexOf(',');
        if (comma >= 0)
        {
            if (!int.TryParse(hole[(comma + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var width))
            {
                return false;
            }

            alignment = width;
            hole = hole[..comma];
        }

        if (hole.Length > 0 && hole[0] is '@' or '$')
        {
            hole = hole[1..];
        }

        if (hole.IsEmpty)
        {
            return false;
        }

        foreach (var ch in hole)
        {
            if (!(char.IsLetterOrDigit(ch) || ch is '_' or '.'))
            {
                return false;
            }
        }

        name = hole.ToString();
        return true;
    }

    /// <summary>
    /// The text .NET loggers show for a property value that arrived as JSON: strings as they are,
    /// booleans as True/False, numbers with the hole's format when it is a numeric one.
    /// </summary>
    public static string RenderJson(JsonElement value, string? format) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => FormatNumber(value, format),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "null",
        _ => RenderStructure(value),
    };

    private static string FormatNumber(JsonElement value, string? format)
    {
        if (format is not null)
        {
            try
            {
                if (value.TryGetInt64(out var integer))
                {
                    return integer.ToString(format, CultureInfo.InvariantCulture);
                }

                if (value.TryGetDouble(out var real))
                {
                    return real.ToString(format, CultureInfo.InvariantCulture);
                }
            }
            catch (FormatException)
            {
                // A format meant for another type (a date pattern on a number): show the raw number.
            }
        }

        return value.GetRawText();
    }

    // Serilog's structure style: Type { A: 1, B: "x" } and [1, 2]; nested strings are quoted.
    private static string RenderStructure(JsonElement value)
    {
        var text = new StringBuilder();
        AppendNested(text, value);
        return text.ToString();
    }

    private static void AppendNested(StringBuilder text, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                text.Append('"').Append(value.GetString()).Append('"');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    text.Append(first ? "" : ", ");
                    AppendNested(text, item);
                    first = false;
                }

                text.Append(']');
                break;
            case JsonValueKind.Object:
                if (value.TryGetProperty("$type", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    text.Append(type.GetString()).Append(' ');
                }

                text.Append("{ ");
                var any = false;
                foreach (var property in value.EnumerateObject())
                {
                    if (property.Name == "$type")
                    {
                        continue;
                    }

                    text.Append(any ? ", " : "").Append(property.Name).Append(": ");
                    AppendNested(text, property.Value);
                    any = true;
                }

                text.Append(any ? " }" : "}");
                break;
            default:
                text.Append(RenderJson(value, null));
                break;
        }
    }
}
