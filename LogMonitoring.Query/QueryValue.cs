using System.Globalization;
using LogMonitoring.Contracts;

namespace LogMonitoring.Query;

/// <summary>
/// One value written in a query, with every reading of it that applies: the text always; a number
/// when it was written unquoted as one; a boolean for unquoted <c>true</c>/<c>false</c>; a level or a
/// time when the field is <c>level</c> or <c>timestamp</c>. Each store compares the readings that fit
/// the field, so <c>user_id:12345</c> finds the string "12345" and the number 12345 alike.
/// </summary>
public sealed record QueryValue(string Text)
{
    public long? Integer { get; init; }

    public double? Real { get; init; }

    public bool? Boolean { get; init; }

    public LogEventLevel? Level { get; init; }

    public DateTime? Time { get; init; }

    public bool IsNumber => Integer is not null || Real is not null;

    /// <summary>A value written without quotes: numbers and booleans are recognised too.</summary>
    public static QueryValue Unquoted(string text)
    {
        var value = new QueryValue(text);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return value with { Integer = integer };
        }

        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.') &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            return value with { Real = real };
        }

        return text switch
        {
            "true" => value with { Boolean = true },
            "false" => value with { Boolean = false },
            _ => value,
        };
    }

    /// <summary>A "quoted" value: always text.</summary>
    public static QueryValue Quoted(string text) => new(text);
}
