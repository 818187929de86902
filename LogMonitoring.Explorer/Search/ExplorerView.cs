using Microsoft.AspNetCore.WebUtilities;

namespace LogMonitoring.Explorer.Search;

/// <summary>
/// Everything that decides what the search page shows, and nothing else: it lives in the page's URL, so a
/// link reopens the same view. The filters travel to the stats API unchanged (relative times stay relative).
/// </summary>
public sealed record ExplorerView
{
    public const string DefaultStart = "now-1h";

    /// <summary>A query in the query language (docs/api.md).</summary>
    public string Q { get; init; } = "";

    /// <summary>Services, comma-separated; empty for all.</summary>
    public string Service { get; init; } = "";

    /// <summary>Levels, comma-separated; empty for all.</summary>
    public string Level { get; init; } = "";

    /// <summary>From (inclusive): relative (<c>now-1h</c>) or ISO 8601.</summary>
    public string Start { get; init; } = DefaultStart;

    /// <summary>Until (exclusive): relative or ISO 8601; empty for now.</summary>
    public string End { get; init; } = "";

    /// <summary>Times shown in UTC rather than the browser's time zone.</summary>
    public bool Utc { get; init; }

    /// <summary>The parameters of /api/logs, /count, /histogram and /tail for this view.</summary>
    public Dictionary<string, string?> ApiParameters()
    {
        var parameters = new Dictionary<string, string?>();
        AddIfSet(parameters, "q", Q.Trim());
        AddIfSet(parameters, "service", Service);
        AddIfSet(parameters, "level", Level);
        AddIfSet(parameters, "start", Start);
        AddIfSet(parameters, "end", End);
        return parameters;
    }

    /// <summary>The explorer's own link to this view (defaults left out, so links stay short).</summary>
    public string ToUrl(string path = "/")
    {
        var parameters = new Dictionary<string, string?>();
        AddIfSet(parameters, "q", Q.Trim());
        AddIfSet(parameters, "service", Service);
        AddIfSet(parameters, "level", Level);
        if (Start != DefaultStart)
        {
            parameters["start"] = Start;
        }

        AddIfSet(parameters, "end", End);
        if (Utc)
        {
            parameters["utc"] = "1";
        }

        return QueryHelpers.AddQueryString(path, parameters);
    }

    public static ExplorerView FromUri(Uri uri)
    {
        var query = QueryHelpers.ParseQuery(uri.Query);
        string Read(string name) => query.TryGetValue(name, out var value) ? value.ToString() : "";
        return new ExplorerView
        {
            Q = Read("q"),
            Service = Read("service"),
            Level = Read("level"),
            Start = query.ContainsKey("start") ? Read("start") : DefaultStart,
            End = Read("end"),
            Utc = Read("utc") is "1" or "true",
        };
    }

    /// <summary>Whether <see cref="Level"/> names this level.</summary>
    public bool HasLevel(string level) => Level.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(level, StringComparer.OrdinalIgnoreCase);

    public ExplorerView ToggleLevel(string level)
    {
        var levels = Level.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (levels.RemoveAll(l => string.Equals(l, level, StringComparison.OrdinalIgnoreCase)) == 0)
        {
            levels.Add(level);
        }

        return this with { Level = string.Join(',', LogLevels.All.Where(l => levels.Contains(l, StringComparer.OrdinalIgnoreCase))) };
    }

    private static void AddIfSet(Dictionary<string, string?> parameters, string name, string value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            parameters[name] = value;
        }
    }
}
