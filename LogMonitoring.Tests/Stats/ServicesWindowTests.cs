using LogMonitoring.Contracts;
using LogMonitoring.Stats;
using LogMonitoring.Stats.Apis;
using LogMonitoring.Storage.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Tests.Stats;

/// <summary>
/// <c>GET /api/stats/services</c> reads a bounded window of hourly buckets: 24 hours unless asked, at most
/// 31 days, counted in whole hours up to now.
/// </summary>
public sealed class ServicesWindowTests
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 34, 0, DateTimeKind.Utc);

    private sealed class Clock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
    }

    /// <summary>Remembers the window asked for and answers one service.</summary>
    private sealed class RecordingStatistics : ILogStatistics
    {
        public DateTime? Since { get; private set; }

        public Task<IReadOnlyList<ServiceSummary>> GetServicesAsync(DateTime since, CancellationToken cancellationToken)
        {
            Since = since;
            return Task.FromResult<IReadOnlyList<ServiceSummary>>([new ServiceSummary("api", new LevelCounts(0, 0, 3, 0, 1, 0), Now.AddMinutes(-1))]);
        }

        public Task<RollupCycleResult> RollUpAsync(string replica, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StatsBucket>> GetBucketsAsync(StatsInterval interval, DateTime start, DateTime end, string? service, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private static async Task<(object Result, DateTime? Since)> AskAsync(string? window)
    {
        var statistics = new RecordingStatistics();
        var result = await StatsApi.ServicesAsync(window, new StatisticsServices(statistics, new Clock(), Options.Create(new StatsOptions())), CancellationToken.None);
        return (result.Result, statistics.Since);
    }

    [Theory]
    [InlineData(null, 24)]
    [InlineData("1h", 1)]
    [InlineData("90m", 2)]
    [InlineData("7d", 168)]
    [InlineData("31d", 744)]
    public async Task The_window_covers_the_current_hour_and_the_whole_hours_before_it(string? window, int hours)
    {
        var (result, since) = await AskAsync(window);

        Assert.Equal(new DateTime(2026, 1, 15, 13, 0, 0, DateTimeKind.Utc).AddHours(-hours), since);
        var services = Assert.IsType<Ok<IReadOnlyList<ServiceStats>>>(result).Value!;
        var api = Assert.Single(services);
        Assert.Equal((4L, 1L, 0.25), (api.Total, api.Errors, api.ErrorRate));
        Assert.Equal(3, api.Levels[LogEventLevel.Info.ToWireName()]);
    }

    [Theory]
    [InlineData("30m")]
    [InlineData("32d")]
    [InlineData("5w")]
    [InlineData("all")]
    public async Task A_window_outside_one_hour_to_31_days_is_refused_naming_it(string window)
    {
        var (result, since) = await AskAsync(window);

        var problem = Assert.IsType<ValidationProblem>(result);
        Assert.Contains("1h to 31d", Assert.Single(problem.ProblemDetails.Errors["window"]));
        Assert.Null(since);
    }
}
