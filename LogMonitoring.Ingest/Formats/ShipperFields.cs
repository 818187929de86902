using System.Buffers;
using System.Globalization;
using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Formats;

/// <summary>The mappings every shipper format shares: service names, severities, trace ids, epoch times.</summary>
public static class ShipperFields
{
    private static readonly SearchValues<char> s_hexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>
    /// Shippers name services freely (Loki labels, index names, resource attributes); characters the
    /// contract does not allow become '_' so the event is stored rather than refused for its name.
    /// </summary>
    public static string? CleanServiceName(string? name, int maxLength)
    {
        var trimmed = name.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return null;
        }

        if (trimmed.Length > maxLength)
        {
            trimmed = trimmed[..maxLength];
        }

        if (ServiceName.HasOnlyAllowedCharacters(trimmed))
        {
            return trimmed.Length == name!.Length ? name : trimmed.ToString();
        }

        return string.Create(trimmed.Length, trimmed.ToString(), static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = ServiceName.Characters.Contains(source[i]) ? source[i] : '_';
            }
        });
    }

    /// <summary>OpenTelemetry's SeverityNumber ranges; 0 (unspecified) and out-of-range values give null.</summary>
    public static LogEventLevel? FromOtelSeverity(int severityNumber) => severityNumber switch
    {
        >= 1 and <= 4 => LogEventLevel.Trace,
        >= 5 and <= 8 => LogEventLevel.Debug,
        >= 9 and <= 12 => LogEventLevel.Info,
        >= 13 and <= 16 => LogEventLevel.Warn,
        >= 17 and <= 20 => LogEventLevel.Error,
        >= 21 and <= 24 => LogEventLevel.Fatal,
        _ => null,
    };

    /// <summary>Syslog severities (RFC 5424), which GELF uses: 0 emergency .. 7 debug.</summary>
    public static LogEventLevel? FromSyslogSeverity(long severity) => severity switch
    {
        0 or 1 or 2 => LogEventLevel.Fatal,
        3 => LogEventLevel.Error,
        4 => LogEventLevel.Warn,
        5 or 6 => LogEventLevel.Info,
        7 => LogEventLevel.Debug,
        _ => null,
    };

    /// <summary>A W3C trace or span id as lowercase hex, or null when absent, all zeros or the wrong length.</summary>
    public static string? HexId(ReadOnlySpan<byte> bytes, int expectedBytes)
    {
        if (bytes.Length != expectedBytes || !bytes.ContainsAnyExcept((byte)0))
        {
            return null;
        }

        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>A textual trace or span id, lowercased, or null when it is not hex of the expected length.</summary>
    public static string? HexId(string? text, int expectedChars)
    {
        if (text is null || text.Length != expectedChars || text.AsSpan().ContainsAnyExcept(s_hexDigits) ||
            !text.AsSpan().ContainsAnyExcept('0'))
        {
            return null;
        }

        return text.ToLowerInvariant();
    }

    public static DateTime FromUnixNanoseconds(ulong nanoseconds) =>
        DateTime.UnixEpoch.AddTicks((long)(nanoseconds / 100));

    /// <summary>Seconds since the epoch with a fraction (GELF); null when out of DateTime's range.</summary>
    public static DateTime? FromUnixSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0 || seconds > 253_402_300_799)
        {
            return null;
        }

        return DateTime.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    /// <summary>Nanoseconds since the epoch as a decimal string (Loki).</summary>
    public static DateTime? FromUnixNanosecondsText(string? text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var nanoseconds)
            ? FromUnixNanoseconds(nanoseconds)
            : null;

    /// <summary>The first value among <paramref name="names"/> that <paramref name="lookup"/> finds.</summary>
    public static string? FirstOf(Func<string, string?> lookup, ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (lookup(name) is { Length: > 0 } value)
            {
                return value;
            }
        }

        return null;
    }
}
