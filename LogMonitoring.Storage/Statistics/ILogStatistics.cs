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

    Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(CancellationToken cancellationToken);
}
