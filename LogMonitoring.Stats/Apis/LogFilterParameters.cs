using System.ComponentModel;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage;

namespace LogMonitoring.Stats.Apis;

/// <summary>The filters shared by search and count, as they arrive in the query string.</summary>
public sealed record LogFilterParameters
{
    [Description("Only logs of this service, or of these services separated by commas (as Grafana's ${service:csv} sends them).")]
    public string? Service { get; init; }

    [Description("Only these levels: one, or several separated by commas (ERROR,FATAL). Aliases accepted.")]
    public string? Level { get; init; }

    [Description("From this time, inclusive: ISO 8601 or relative (now-1h).")]
    public string? Start { get; init; }

    [Description("Until this time, exclusive: ISO 8601 or relative (now).")]
    public string? End { get; init; }

    [Description("A query in the query language (docs/api.md): `service:api-service AND user_id:u1`, `\"timed out\" AND NOT level:INFO`, `duration_ms>500`, `level:ERROR,FATAL AND (host:web-1 OR host:web-2)`. A plain word finds messages containing it (case-insensitive). At most 4096 characters.")]
    public string? Q { get; init; }

    /// <summary>Builds the store query, or lists what is wrong by parameter name.</summary>
    public LogQuery? TryBuild(DateTime now, Dictionary<string, string[]> errors)
    {
        var query = new LogQuery();
        if (Service is not null)
        {
            var names = Service.Split(',', StringSplitOptions.TrimEntries);
            if (names.Length > 100 || !names.All(n => ServiceName.IsValid(n)))
            {
                errors["service"] = [$"must be service names (1 to {ServiceName.MaxLength} {ServiceName.AllowedCharacters}), at most 100, separated by commas"];
            }
            else if (names.Length == 1)
            {
                query = query with { Service = names[0] };
            }
            else
            {
                query = query with { Services = names.Distinct(StringComparer.Ordinal).ToList() };
            }
        }

        if (Level is not null)
        {
            query = query with { Levels = ReadLevels(Level, errors)!.Distinct().ToList() };
        }

        if (Start is not null)
        {
            if (TimeParameter.TryParse(Start, now, out var start, out var error))
            {
                query = query with { Start = start };
            }
            else
            {
                errors["start"] = [error!];
            }
        }

        if (End is not null)
        {
            if (TimeParameter.TryParse(End, now, out var end, out var error))
            {
                query = query with { End = end };
            }
            else
            {
                errors["end"] = [error!];
            }
        }

        if (query.Start is { } s && query.End is { } e && e <= s)
        {
            errors["end"] = ["must be later than start"];
        }

        if (Q is not null)
        {
            var parsed = QueryParser.Parse(Q, now);
            if (parsed.Error is { } error)
            {
                errors["q"] = [error.ToString()];
            }
            else
            {
                query = query with { Where = parsed.Query };
            }
        }

        return errors.Count == 0 ? query : null;
    }

    /// <summary>One level or several separated by commas (aliases accepted); null when absent.</summary>
    internal static List<LogEventLevel>? ReadLevels(string? level, Dictionary<string, string[]> errors)
    {
        if (level is null)
        {
            return null;
        }

        var levels = new List<LogEventLevel>();
        foreach (var part in level.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Take(16))
        {
            if (LogEventLevels.TryParse(part, out var parsed))
            {
                levels.Add(parsed);
            }
            else
            {
                errors["level"] = [$"'{TextPreview.Of(part)}' is not a level (TRACE, DEBUG, INFO, WARN, ERROR, FATAL)"];
            }
        }

        if (levels.Count == 0 && !errors.ContainsKey("level"))
        {
            errors["level"] = ["is empty"];
        }

        return levels;
    }
}
