using LogMonitoring.Contracts;

namespace LogMonitoring.Storage.Statistics;

/// <summary>
/// Rollups of the stored logs into 1-minute, 5-minute and hourly buckets per service, and the reads the
/// stats API needs. Every store implements it with the same promises, held by one contract test suite:
/// after a cycle, every bucket equals the count over the stored logs (late arrivals included, duplicates
/// never counted); the work of a cycle grows with what arrived since the last one, not with what is
/// stored; several replicas may run cycles at once without counting anything twice.
/// </summary>
public interface ILogStatistics
{
    /// <summary>Folds logs stored since the last cycle into the statistics.</summary>
    Task<RollupCycleResult> RollUpAsync(string replica, CancellationToken cancellationToken);

    /// <summary>Buckets in [start, end), per service, for one service or all.</summary>
    Task<IReadOnlyList<StatsBucket>> GetBucketsAsync(StatsInterval interval, DateTime start, DateTime end, string? service, CancellationToken cancellationToken);

    /// <summary>
    /// Every service seen (for as long as its hourly statistics are kept), with its counts in the hourly
    /// buckets from <paramref name="since"/> on and the time of its newest log. The cost follows the number
    /// of services and the window, not the history kept.
    /// </summary>
    Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(DateTime since, CancellationToken cancellationToken);
}
