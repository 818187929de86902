using LogMonitoring.Explorer.Search;

namespace LogMonitoring.Tests.Explorer;

/// <summary>The explorer's view lives in its URL: what a link holds is what the next tab shows.</summary>
public sealed class ExplorerViewTests
{
    [Fact]
    public void A_view_survives_its_own_link()
    {
        var view = new ExplorerView { Q = "\"timed out\" AND NOT level:INFO & more", Service = "api-service", Level = "WARN,ERROR", Start = "2026-12-07T10:00:00.000Z", End = "now-5m", Utc = true };

        var reopened = ExplorerView.FromUri(new Uri("http://explorer" + view.ToUrl()));

        Assert.Equal(view, reopened);
    }

    [Fact]
    public void Defaults_stay_out_of_the_link()
    {
        Assert.Equal("/", new ExplorerView().ToUrl());
        Assert.Equal(new ExplorerView(), ExplorerView.FromUri(new Uri("http://explorer/")));
    }

    [Fact]
    public void The_api_gets_the_filters_and_not_the_display_settings()
    {
        var parameters = new ExplorerView { Q = " level:ERROR ", Utc = true }.ApiParameters();

        Assert.Equal(new Dictionary<string, string?> { ["q"] = "level:ERROR", ["start"] = "now-1h" }, parameters);
    }

    [Fact]
    public void Levels_toggle_and_stay_in_severity_order()
    {
        var view = new ExplorerView().ToggleLevel("ERROR").ToggleLevel("DEBUG").ToggleLevel("FATAL");
        Assert.Equal("DEBUG,ERROR,FATAL", view.Level);
        Assert.Equal("DEBUG,FATAL", view.ToggleLevel("error").Level);
        Assert.True(view.HasLevel("debug"));
    }
}
