using LogMonitoring.Contracts;

namespace LogMonitoring.Storage.Statistics;

/// <summary>
/// The counts of one service in one bucket: per level, the total, and the errors (ERROR + FATAL).
/// </summary>
public sealed record StatsBucket(DateTime Bucket, string Service, LevelCounts Levels, DateTime LastSeen)
{
    public long Total => Levels.Total;

    public long Errors => Levels.Errors;

    public double ErrorRate => Levels.ErrorRate;
}

/// <summary>How many logs of each level; addable, so buckets and services can be summed.</summary>
public sealed record LevelCounts(long Trace, long Debug, long Info, long Warn, long Error, long Fatal)
{
    public static LevelCounts Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public long Total => Trace + Debug + Info + Warn + Error + Fatal;

    public long Errors => Error + Fatal;

    /// <summary>Errors over total, 0 when there is nothing.</summary>
    public double ErrorRate => Total == 0 ? 0 : (double)Errors / Total;

    public long this[LogEventLevel level] => level switch
    {
        LogEventLevel.Trace => Trace,
        LogEventLevel.Debug => Debug,
        LogEventLevel.Info => Info,
        LogEventLevel.Warn => Warn,
        LogEventLevel.Error => Error,
        _ => Fatal,
    };

    public static LevelCounts operator +(LevelCounts a, LevelCounts b) =>
        new(a.Trace + b.Trace, a.Debug + b.Debug, a.Info + b.Info, a.Warn + b.Warn, a.Error + b.Error, a.Fatal + b.Fatal);

    /// <summary>Keeps only the given levels (all when null or empty).</summary>
    public LevelCounts Only(IReadOnlyList<LogEventLevel>? levels) =>
        levels is not { Count: > 0 }
            ? this
            : new(
                levels.Contains(LogEventLevel.Trace) ? Trace : 0,
                levels.Contains(LogEventLevel.Debug) ? Debug : 0,
                levels.Contains(LogEventLevel.Info) ? Info : 0,
                levels.Contains(LogEventLevel.Warn) ? Warn : 0,
                levels.Contains(LogEventLevel.Error) ? Error : 0,
                levels.Contains(LogEventLevel.Fatal) ? Fatal : 0);
}

/// <summary>A service the store has seen, with its counts over the window asked for and the time of its newest log.</summary>
public sealed record ServiceSummary(string Service, LevelCounts Levels, DateTime LastSeen);

/// <summary>What one rollup cycle did, in the same terms for every store.</summary>
/// <param name="Ran">False when another replica was running the cycle, so this call changed nothing.</param>
/// <param name="CaughtUp">True when every log visible to the store when the cycle began is counted in the statistics after it.</param>
/// <param name="BucketsTouched">Minute buckets (per service) the cycle added to.</param>
/// <param name="FreshnessLag">
/// How long the oldest stored log the statistics do not count yet had waited when the cycle ended, at most;
/// zero when none can have been waiting.
/// </param>
/// <param name="LogsCounted">The new logs the cycle counted (null when it did not run).</param>
public sealed record RollupCycleResult(bool Ran, bool CaughtUp, int BucketsTouched, TimeSpan FreshnessLag, long? LogsCounted);
