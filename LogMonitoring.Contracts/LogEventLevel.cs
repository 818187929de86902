namespace LogMonitoring.Contracts;

/// <summary>Severity of a log event, ordered from least to most severe.</summary>
public enum LogEventLevel
{
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Fatal = 5,
}

public static class LogEventLevels
{
    public static IReadOnlyList<LogEventLevel> All { get; } = Enum.GetValues<LogEventLevel>();

    /// <summary>The canonical spelling used on the wire, in the stores and in the APIs.</summary>
    public static string ToWireName(this LogEventLevel level) => level switch
    {
        LogEventLevel.Trace => "TRACE",
        LogEventLevel.Debug => "DEBUG",
        LogEventLevel.Info => "INFO",
        LogEventLevel.Warn => "WARN",
        LogEventLevel.Error => "ERROR",
        LogEventLevel.Fatal => "FATAL",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>
    /// Accepts the canonical names and the aliases common loggers emit (Serilog, log4net, syslog,
    /// Python logging), case-insensitively.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out LogEventLevel level)
    {
        Span<char> upper = stackalloc char[16];
        if (text.Length is 0 or > 16)
        {
            level = default;
            return false;
        }

        text.Trim().ToUpperInvariant(upper);
        var name = upper[..text.Trim().Length];
        switch (name)
        {
            case "TRACE" or "TRC" or "VERBOSE" or "VRB" or "FINEST":
                level = LogEventLevel.Trace;
                return true;
            case "DEBUG" or "DBG" or "FINE":
                level = LogEventLevel.Debug;
                return true;
            case "INFO" or "INF" or "INFORMATION" or "NOTICE" or "LOG":
                level = LogEventLevel.Info;
                return true;
            case "WARN" or "WRN" or "WARNING":
                level = LogEventLevel.Warn;
                return true;
            case "ERROR" or "ERR" or "EROR":
                level = LogEventLevel.Error;
                return true;
            case "FATAL" or "FTL" or "CRITICAL" or "CRIT" or "CRT" or "EMERGENCY" or "EMERG" or "ALERT" or "PANIC":
                level = LogEventLevel.Fatal;
                return true;
            default:
                level = default;
                return false;
        }
    }

    public static LogEventLevel ParseWireName(string text) =>
        TryParse(text, out var level) ? level : throw new FormatException($"Unknown log level '{text}'.");
}
