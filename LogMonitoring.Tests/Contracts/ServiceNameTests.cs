using LogMonitoring.Contracts;

namespace LogMonitoring.Tests.Contracts;

public sealed class ServiceNameTests
{
    [Theory]
    [InlineData("api-service", true)]
    [InlineData("team/payments:v2.1_eu", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("{\"$gt\":\"\"}", false)]
    [InlineData("café", false)]
    public void Names_are_letters_digits_and_a_few_separators(string name, bool valid) =>
        Assert.Equal(valid, ServiceName.IsValid(name));

    [Fact]
    public void Every_length_a_configuration_allows_is_a_valid_name()
    {
        Assert.True(ServiceName.IsValid(new string('s', ServiceName.MaxLength)));
        Assert.False(ServiceName.IsValid(new string('s', ServiceName.MaxLength + 1)));
        Assert.False(ServiceName.IsValid("abcd", maxLength: 3));

        // MaxServiceLength cannot be configured past what every reader accepts.
        var ceiling = typeof(LogLimits).GetProperty(nameof(LogLimits.MaxServiceLength))!
            .GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RangeAttribute), false)
            .Cast<System.ComponentModel.DataAnnotations.RangeAttribute>().Single();
        Assert.Equal(ServiceName.MaxLength, ceiling.Maximum);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("short", "short")]
    public void A_preview_keeps_short_text_whole(string? text, string expected) => Assert.Equal(expected, TextPreview.Of(text));

    [Fact]
    public void A_preview_cuts_long_text_and_says_so() =>
        Assert.Equal(new string('x', TextPreview.DefaultLength) + "…", TextPreview.Of(new string('x', 500)));
}
