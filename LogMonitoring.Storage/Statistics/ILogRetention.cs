namespace LogMonitoring.Storage.Statistics;

/// <summary>
/// A store that deletes expired logs and statistics itself, in passes (the embedded SQLite store). MongoDB
/// expires them on its own with TTL indexes and has no such pass.
/// </summary>
public interface ILogRetention
{
    /// <summary>Deletes raw logs and statistics older than the retention policy allows.</summary>
    Task<RetentionResult> ApplyRetentionAsync(RetentionOptions retention, DateTime now, CancellationToken cancellationToken);
}

public sealed record RetentionResult(long LogsDeleted, long BucketsDeleted);
