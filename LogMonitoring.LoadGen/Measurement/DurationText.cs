using System.Globalization;

namespace LogMonitoring.LoadGen.Measurement;

/// <summary>Reads durations as people type them on a command line: 500ms, 30s, 2m, 1h, or plain seconds.</summary>
public static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.Trim();
        var (number, unit) = span.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (span[..^2], TimeSpan.FromMilliseconds(1))
            : span.EndsWith('s') ? (span[..^1], TimeSpan.FromSeconds(1))
            : span.EndsWith('m') ? (span[..^1], TimeSpan.FromMinutes(1))
            : span.EndsWith('h') ? (span[..^1], TimeSpan.FromHours(1))
            : (span, TimeSpan.FromSeconds(1));
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount < 0 || amount > 1e7)
        {
            return false;
        }

        duration = unit * amount;
        return true;
    }
}
