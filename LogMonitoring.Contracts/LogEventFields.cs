using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using static LogMonitoring.Contracts.LogEventErrorCodes;

namespace LogMonitoring.Contracts;

/// <summary>Reads and checks the event's scalar fields: strings with their limits, timestamps, levels, trace ids.</summary>
internal static class LogEventFields
{
    private static readonly SearchValues<char> s_hexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static string? ReadString(
        JsonProperty property, int maxLength, string limitName, bool required, List<LogEventError> errors, bool allowLineBreaks = false)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.Null && !required)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(WrongType, property.Name, $"must be a string, not {Describe(value.ValueKind)}"));
            return null;
        }

        var text = value.GetString()!;
        if (text.Length == 0 || (required && string.IsNullOrWhiteSpace(text)))
        {
            errors.Add(new(Empty, property.Name, "must not be empty"));
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(new(TooLong, property.Name, $"is {text.Length} characters, over the limit of {maxLength} ({limitName})"));
            return null;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                errors.Add(new(InvalidCharacter, property.Name, $"contains control character U+{(int)c:X4}"));
                return null;
            }
        }

        return text;
    }

    public static string? ReadService(JsonProperty property, LogLimits limits, List<LogEventError> errors)
    {
        var service = ReadString(property, limits.MaxServiceLength, nameof(LogLimits.MaxServiceLength), required: true, errors);
        if (service is not null && !ServiceName.HasOnlyAllowedCharacters(service))
        {
            errors.Add(new(InvalidCharacter, "service", $"may contain only {ServiceName.AllowedCharacters}"));
            return null;
        }

        return service;
    }

    public static DateTime? ReadTimestamp(JsonProperty property, List<LogEventError> errors)
    {
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new(WrongType, property.Name, $"must be an ISO 8601 string such as 2024-01-15T10:30:00Z, not {Describe(value.ValueKind)}"));
            return null;
        }

        // The usual form (UTC or an explicit offset, ticks at most) is read from the UTF-8 bytes by System.Text.Json's
        // own ISO 8601 parser, with no string made: the general parser below was a tenth of ingest's CPU per event.
        if (IsPlainIso8601WithOffset(JsonMarshal.GetRawUtf8Value(value)) && value.TryGetDateTimeOffset(out var plain))
        {
            return plain.UtcDateTime;
        }

        var text = value.GetString();
        if (text is null || text.Length > 64 ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed) ||
            !LooksLikeIso8601(text))
        {
            errors.Add(new(InvalidTimestamp, property.Name, $"'{TextPreview.Of(text)}' is not an ISO 8601 date-time such as 2024-01-15T10:30:00Z"));
            return null;
        }

        return parsed.UtcDateTime;
    }

    /// <summary>Refuses a timestamp outside [now - MaxPastAge, now + MaxFutureSkew].</summary>
    public static void CheckWindow(DateTime timestamp, DateTime now, LogLimits limits, List<LogEventError> errors)
    {
        // Differences, not sums: a large configured skew must not overflow DateTime.
        if (timestamp - now > limits.MaxFutureSkew)
        {
            errors.Add(new(OutOfWindow, "timestamp", $"is more than {limits.MaxFutureSkew} in the future (limit {nameof(LogLimits.MaxFutureSkew)})"));
        }
        else if (now - timestamp > limits.MaxPastAge)
        {
            errors.Add(new(OutOfWindow, "timestamp", $"is more than {limits.MaxPastAge.TotalDays:0.##} days in the past (limit {nameof(LogLimits.MaxPastAge)})"));
        }
    }

    /// <summary>
    /// "yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|±hh:mm)" as raw JSON (quotes included): what both parsers read alike. Without
    /// an offset, System.Text.Json would take the machine's zone, and past seven digits it truncates where the
    /// general parser rounds, so those go the general way.
    /// </summary>
    internal static bool IsPlainIso8601WithOffset(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < 22 || raw[0] != (byte)'"' || raw[^1] != (byte)'"' || raw[11] != (byte)'T')
        {
            return false;
        }

        var text = raw[1..^1];
        var zone = text[^1] == (byte)'Z' ? 1
            : text.Length >= 6 && text[^6] is (byte)'+' or (byte)'-' && text[^3] == (byte)':' ? 6
            : 0;
        if (zone == 0 || text.Length < 19 + zone)
        {
            return false;
        }

        var time = text[19..^zone];
        return time.IsEmpty || (time[0] == (byte)'.' && time.Length is >= 2 and <= 8 && !time[1..].ContainsAnyExceptInRange((byte)'0', (byte)'9'));
    }

    // DateTimeOffset.TryParse also takes forms such as "1/2/2024"; the contract promises ISO 8601.
    private static bool LooksLikeIso8601(string text)
    {
        var t = text.AsSpan().Trim();
        return t.Length >= 10 && char.IsAsciiDigit(t[0]) && char.IsAsciiDigit(t[1]) && char.IsAsciiDigit(t[2]) &&
               char.IsAsciiDigit(t[3]) && t[4] == '-' && t[7] == '-';
    }

    public static LogEventLevel? ReadLevel(JsonProperty property, List<LogEventError> errors)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.String && LogEventLevels.TryParse(value.GetString(), out var level))
        {
            return level;
        }

        var shown = value.ValueKind == JsonValueKind.String ? $"'{TextPreview.Of(value.GetString())}'" : Describe(value.ValueKind);
        errors.Add(new(UnknownLevel, "level", $"{shown} is not a level (one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, or an alias such as WARNING, ERR, CRITICAL)"));
        return null;
    }

    public static string? ReadHexId(JsonProperty property, int length, List<LogEventError> errors)
    {
        var value = property.Value;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        if (text is null || text.Length != length || text.AsSpan().ContainsAnyExcept(s_hexDigits))
        {
            errors.Add(new(InvalidId, property.Name, $"must be {length} hexadecimal characters (W3C trace context)"));
            return null;
        }

        return text.ToLowerInvariant();
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
