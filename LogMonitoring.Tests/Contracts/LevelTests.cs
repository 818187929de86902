using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

public sealed class LevelTests
{
    [Theory]
    [InlineData("INFO", LogEventLevel.Info)]
    [InlineData("info", LogEventLevel.Info)]
    [InlineData("Information", LogEventLevel.Info)]
    [InlineData("WARNING", LogEventLevel.Warn)]
    [InlineData("warn", LogEventLevel.Warn)]
    [InlineData("ERR", LogEventLevel.Error)]
    [InlineData("CRITICAL", LogEventLevel.Fatal)]
    [InlineData("fatal", LogEventLevel.Fatal)]
    [InlineData("verbose", LogEventLevel.Trace)]
    [InlineData("DBG", LogEventLevel.Debug)]
    public void Aliases_map_to_canonical_levels(string text, LogEventLevel expected)
    {
        Assert.True(LogEventLevels.TryParse(text, out var level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData("")]
    [InlineData("LOUD")]
    [InlineData("INFOINFOINFOINFOINFO")]
    public void Unknown_levels_are_refused(string text) => Assert.False(LogEventLevels.TryParse(text, out _));

    [Fact]
    public void Wire_names_round_trip()
    {
        foreach (var level in LogEventLevels.All)
        {
            Assert.Equal(level, LogEventLevels.ParseWireName(level.ToWireName()));
        }
    }
}
