namespace LogMonitoring.Explorer.Search;

/// <summary>
/// The views the search page asked the browser to show and the browser has not yet reported back, oldest
/// first. A change lives in the URL, so it reaches the page only after a round trip to the browser; a second
/// change made meanwhile must build on the first one, not on the view the page still shows.
/// </summary>
public sealed class RequestedViews
{
    private readonly List<ExplorerView> _views = [];

    /// <summary>Whether a view asked for is still on its way.</summary>
    public bool Pending => _views.Count > 0;

    /// <summary>The view every change builds on: the newest asked for, or the one shown when none is on its way.</summary>
    public ExplorerView Latest(ExplorerView shown) => _views.Count > 0 ? _views[^1] : shown;

    /// <summary>Notes a view asked for; false when it is already the latest (nothing to navigate to).</summary>
    public bool Add(ExplorerView view, ExplorerView shown)
    {
        if (view == Latest(shown))
        {
            return false;
        }

        _views.Add(view);
        return true;
    }

    /// <summary>
    /// The browser reports the view its URL now holds. Returns true when a newer view asked for is still on its
    /// way (this one is already superseded, so loading it is wasted work). A view nobody asked for (back, forward,
    /// an edited address) is the user's latest word: whatever was on its way is forgotten.
    /// </summary>
    public bool Arrived(ExplorerView view)
    {
        var index = _views.IndexOf(view);
        if (index < 0)
        {
            _views.Clear();
            return false;
        }

        _views.RemoveRange(0, index + 1);
        return _views.Count > 0;
    }
}
