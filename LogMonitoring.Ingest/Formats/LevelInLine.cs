using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Formats;

/// <summary>
/// Finds a level written inside a raw log line, the way Loki's level detection does for logfmt
/// (<c>level=warn</c>) and JSON (<c>"level":"warn"</c>) lines. Only the first match is read.
/// </summary>
public static class LevelInLine
{
    private static readonly string[] s_keys = ["level", "severity", "lvl", "loglevel"];

    public static LogEventLevel? Find(string line)
    {
        foreach (var key in s_keys)
        {
            var at = line.IndexOf(key, StringComparison.OrdinalIgnoreCase);
            while (at >= 0)
            {
                if (TryReadValueAfterKey(line, at, key.Length, out var level))
                {
                    return level;
                }

                at = line.IndexOf(key, at + key.Length, StringComparison.OrdinalIgnoreCase);
            }
        }

        return null;
    }

    private static bool TryReadValueAfterKey(string line, int at, int keyLength, out LogEventLevel level)
    {
        level = default;
        var before = at == 0 ? ' ' : line[at - 1];
        if (char.IsLetterOrDigit(before) || before == '_')
        {
            return false;
        }

        var i = at + keyLength;
        if (i < line.Length && line[i] == '"')
        {
            i++;
        }

        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }

        if (i >= line.Length || line[i] is not ('=' or ':'))
        {
            return false;
        }

        i++;
        while (i < line.Length && line[i] is ' ' or '"')
        {
            i++;
        }

        var start = i;
        while (i < line.Length && char.IsAsciiLetter(line[i]))
        {
            i++;
        }

        return i > start && LogEventLevels.TryParse(line.AsSpan(start, i - start), out level);
    }
}
