using LogMonitoring.Contracts;
using LogMonitoring.Stats.Apis;

namespace LogMonitoring.Tests.Stats;

/// <summary>Stats takes every service name ingest can accept, whatever ingest's configured MaxServiceLength.</summary>
public sealed class ServiceParameterTests
{
    private static readonly DateTime Now = new(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(129)]
    [InlineData(ServiceName.MaxLength)]
    public void A_name_longer_than_the_default_limit_can_be_searched(int length)
    {
        var name = new string('s', length);
        var errors = new Dictionary<string, string[]>();

        var query = new LogFilterParameters { Service = name }.TryBuild(Now, errors);

        Assert.Empty(errors);
        Assert.Equal(name, query!.Service);
    }

    [Theory]
    [InlineData(ServiceName.MaxLength + 1)]
    [InlineData(0)]
    public void A_name_no_configuration_allows_is_refused_naming_the_rule(int length)
    {
        var errors = new Dictionary<string, string[]>();

        Assert.Null(new LogFilterParameters { Service = length == 0 ? "a,,b" : new string('s', length) }.TryBuild(Now, errors));

        Assert.Contains($"1 to {ServiceName.MaxLength} letters, digits", Assert.Single(errors["service"]));
    }
}
