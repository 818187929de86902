using LogMonitoring.Explorer.Search;

namespace LogMonitoring.Tests.Explorer;

/// <summary>Changes made faster than the browser reports them back all build on each other.</summary>
public sealed class RequestedViewsTests
{
    private static readonly ExplorerView Shown = new();

    [Fact]
    public void A_change_builds_on_the_newest_view_asked_for_not_on_the_one_shown()
    {
        var requested = new RequestedViews();
        var query = Shown with { Q = "service:api" };

        Assert.True(requested.Add(query, Shown));
        var level = requested.Latest(Shown).ToggleLevel("WARN");
        Assert.True(requested.Add(level, Shown));

        Assert.Equal(new ExplorerView { Q = "service:api", Level = "WARN" }, requested.Latest(Shown));
    }

    [Fact]
    public void Views_reported_back_while_a_newer_one_is_on_its_way_are_superseded()
    {
        var requested = new RequestedViews();
        var first = Shown with { Q = "a" };
        var second = first with { Level = "ERROR" };
        var third = second with { Start = "now-6h" };
        requested.Add(first, Shown);
        requested.Add(second, Shown);
        requested.Add(third, Shown);

        Assert.True(requested.Arrived(first));
        Assert.True(requested.Arrived(second));
        Assert.False(requested.Arrived(third));
        Assert.False(requested.Pending);
        Assert.Equal(third, requested.Latest(third));
    }

    [Fact]
    public void Asking_for_the_latest_view_again_is_no_navigation()
    {
        var requested = new RequestedViews();
        Assert.False(requested.Add(Shown, Shown));

        var query = Shown with { Q = "a" };
        Assert.True(requested.Add(query, Shown));
        Assert.False(requested.Add(query, Shown));
        Assert.False(requested.Arrived(query));
    }

    [Fact]
    public void Going_back_to_a_view_shown_before_comes_back_in_order()
    {
        var requested = new RequestedViews();
        var other = Shown with { Level = "ERROR" };
        requested.Add(other, Shown);
        requested.Add(Shown, Shown);

        Assert.True(requested.Arrived(other));
        Assert.False(requested.Arrived(Shown));
    }

    [Fact]
    public void A_view_nobody_asked_for_is_the_users_latest_word()
    {
        var requested = new RequestedViews();
        requested.Add(Shown with { Q = "a" }, Shown);

        // The back button, or an address typed by hand, while the change was on its way.
        var typed = Shown with { Q = "b" };
        Assert.False(requested.Arrived(typed));
        Assert.False(requested.Pending);
        Assert.Equal(typed, requested.Latest(typed));
    }
}
