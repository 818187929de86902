using System.Globalization;

namespace LogMonitoring.Explorer.Search;

/// <summary>Times as the user reads them: in UTC, or shifted by the browser's offset from UTC.</summary>
public static class TimeText
{
    public const string Format24h = "yyyy-MM-dd HH:mm:ss.fff";

    public static DateTime ToDisplay(DateTime utc, bool useUtc, int offsetMinutes) =>
        useUtc ? utc : DateTime.SpecifyKind(utc.ToUniversalTime().AddMinutes(offsetMinutes), DateTimeKind.Unspecified);

    public static string Format(DateTime utc, bool useUtc, int offsetMinutes) =>
        ToDisplay(utc, useUtc, offsetMinutes).ToString(Format24h, CultureInfo.InvariantCulture);

    /// <summary>A time the user gave in the shown zone, back in UTC.</summary>
    public static DateTime FromDisplay(DateTime shown, bool useUtc, int offsetMinutes) =>
        DateTime.SpecifyKind(useUtc ? shown : shown.AddMinutes(-offsetMinutes), DateTimeKind.Utc);

    /// <summary>An absolute time as the stats API reads it (ISO 8601 in UTC).</summary>
    public static string ToApi(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a time the chart or an input gave ("2026-12-07 14:20:33.5", "2026-12-07T14:20").</summary>
    public static bool TryParseShown(string? text, out DateTime shown) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out shown);
}
