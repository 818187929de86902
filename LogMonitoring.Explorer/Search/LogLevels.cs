namespace LogMonitoring.Explorer.Search;

/// <summary>The contract's levels in order of severity, with the colour each one is drawn in.</summary>
public static class LogLevels
{
    public static readonly IReadOnlyList<string> All = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

    /// <summary>Colours readable on light and dark backgrounds, the same in the table and the histogram.</summary>
    public static string Colour(string level) => level switch
    {
        "TRACE" => "#8a8886",
        "DEBUG" => "#5c7d99",
        "INFO" => "#2e7d32",
        "WARN" => "#c77800",
        "ERROR" => "#d13438",
        "FATAL" => "#8e1b7a",
        _ => "#8a8886",
    };

    /// <summary>The CSS class of a level's badge (level-info, level-error, …).</summary>
    public static string CssClass(string level) => "level-" + (All.Contains(level) ? level.ToLowerInvariant() : "unknown");
}
