using System.Globalization;
using System.Text.RegularExpressions;

namespace LogMonitoring.Query;

/// <summary>
/// Reads a time query parameter: ISO 8601 (<c>2024-01-15T10:30:00Z</c>), <c>now</c>, or a relative
/// form such as <c>now-1h</c>, <c>now-15m</c>, <c>now-7d</c> (units s, m, h, d, w), as Grafana writes them.
/// </summary>
public static partial class TimeParameter
{
    public static bool TryParse(string? text, DateTime now, out DateTime value, out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }

        text = text.Trim();
        if (text.Length > 64)
        {
            error = "is longer than 64 characters";
            return false;
        }

        var match = RelativePattern().Match(text);
        if (match.Success)
        {
            if (!match.Groups["amount"].Success)
            {
                value = now;
                return true;
            }

            if (!long.TryParse(match.Groups["amount"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > 100_000)
            {
                error = $"'{text}' reaches too far";
                return false;
            }

            if (!TryParseDuration(amount, match.Groups["unit"].Value, out var offset))
            {
                error = $"'{text}' has an unknown unit";
                return false;
            }

            var sign = match.Groups["sign"].Value == "-" ? -1 : 1;
            try
            {
                value = now + (sign * offset);
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                error = $"'{text}' is out of range";
                return false;
            }
        }

        if ((char.IsAsciiDigit(text[0]) && text.Length >= 10 && text[4] == '-') &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed.UtcDateTime;
            return true;
        }

        error = $"'{text}' is neither an ISO 8601 date-time (2024-01-15T10:30:00Z) nor a relative time (now-1h)";
        return false;
    }

    /// <summary>Parses a duration such as <c>5m</c>, <c>1h</c>, <c>30s</c>, <c>2d</c>.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 16)
        {
            return false;
        }

        var match = DurationPattern().Match(text.Trim());
        return match.Success &&
               long.TryParse(match.Groups["amount"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) &&
               amount is > 0 and <= 100_000 &&
               TryParseDuration(amount, match.Groups["unit"].Value, out duration);
    }

    private static bool TryParseDuration(long amount, string unit, out TimeSpan duration)
    {
        duration = unit switch
        {
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            "w" => TimeSpan.FromDays(7 * amount),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero;
    }

    [GeneratedRegex(@"^now(?:(?<sign>[+-])(?<amount>\d{1,9})(?<unit>[smhdw]))?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex RelativePattern();

    [GeneratedRegex(@"^(?<amount>\d{1,9})(?<unit>[smhdw])$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex DurationPattern();
}
