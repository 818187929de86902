using LogMonitoring.Explorer.Live;
using LogMonitoring.Explorer.Search;
using LogMonitoring.Explorer.StatsApi;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.Web.Virtualization;
using Microsoft.JSInterop;

namespace LogMonitoring.Explorer.Components.Pages;

/// <summary>
/// The search page: the view comes from the URL (so links reopen it), results come page by page through
/// the search API's cursor as the user scrolls, and the live tail replaces them with a bounded stream.
/// </summary>
public sealed partial class SearchPage
{
    [SupplyParameterFromQuery(Name = "q")] public string? Q { get; set; }
    [SupplyParameterFromQuery(Name = "service")] public string? Service { get; set; }
    [SupplyParameterFromQuery(Name = "level")] public string? Level { get; set; }
    [SupplyParameterFromQuery(Name = "start")] public string? Start { get; set; }
    [SupplyParameterFromQuery(Name = "end")] public string? End { get; set; }
    [SupplyParameterFromQuery(Name = "utc")] public string? UtcFlag { get; set; }

    private const string QueryPlaceholder = "Query: level:ERROR AND \"timed out\" (press / to focus)";

    // The view whose results are shown; changes build on Latest, which includes those still on their way.
    private ExplorerView _view = new();
    private readonly RequestedViews _requested = new();
    private string _draftQuery = "";
    private List<string> _services = [];
    private int _offsetMinutes;
    private string? _error;
    private Histogram? _histogram;
    private LogItem? _selected;

    // The pages read so far through the cursor; a new view starts a new generation and drops them.
    private readonly List<LogItem> _rows = [];
    private readonly SemaphoreSlim _pageLock = new(1, 1);
    private string? _cursor;
    private bool _hasMore = true;
    private int _generation;
    private CancellationTokenSource _viewCancellation = new();

    // Done when the current view's first page has been read (or failed): the histogram waits for it, so the
    // rows a user looks for first do not share the cores with a histogram that can take a second to count.
    private TaskCompletionSource _firstPage = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Virtualize<LogItem>? _virtualize;
    private ElementReference _scroller;
    private IJSObjectReference? _module;
    private DotNetObjectReference<SearchPage>? _self;

    // Live tail.
    private bool _live;
    private TailBuffer _buffer = null!;
    private CancellationTokenSource? _tailCancellation;
    private PeriodicTimer? _renderTimer;
    private bool _scrolledAway;
    private long _shownReceived;
    private IReadOnlyList<LogItem> _shownTail = [];

    private ExplorerView Latest => _requested.Latest(_view);

    private string ApiKey => Session.Key ?? throw new InvalidOperationException("The page is shown only to a signed-in user.");

    protected override void OnInitialized() => _buffer = new TailBuffer(Options.Value.TailBufferSize);

    protected override async Task OnParametersSetAsync()
    {
        var view = ExplorerView.FromUri(new Uri(Navigation.Uri));
        if (_requested.Arrived(view))
        {
            // A newer change is on its way: loading this view would only be cancelled by it.
            return;
        }

        var sameFilters = _generation > 0 && view with { Utc = _view.Utc } == _view;
        var queryChanged = _generation == 0 || view.Q != _view.Q;
        _view = view;
        if (queryChanged)
        {
            // Only a new query replaces the box's text: a level or range change keeps what the user is typing.
            _draftQuery = view.Q;
        }

        if (sameFilters)
        {
            return;
        }

        await StartViewAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./explorer.js");
            _self = DotNetObjectReference.Create(this);
            await _module.InvokeVoidAsync("watchScroll", _scroller, _self);
            var offset = await _module.InvokeAsync<int>("timeZoneOffsetMinutes");
            if (offset != _offsetMinutes)
            {
                _offsetMinutes = offset;
                StateHasChanged();
            }

            await LoadServicesAsync();
        }
    }

    /// <summary>A new query, range or filter: forget the pages read, count it over time, and read again from the newest.</summary>
    private async Task StartViewAsync()
    {
        await _viewCancellation.CancelAsync();
        _viewCancellation.Dispose();
        _viewCancellation = new CancellationTokenSource();
        var cancellation = _viewCancellation.Token;
        _generation++;
        _firstPage.TrySetResult();
        _firstPage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _rows.Clear();
        _cursor = null;
        _hasMore = true;
        _error = null;
        _selected = null;
        if (_live)
        {
            await StartTailAsync();
        }

        if (_virtualize is not null)
        {
            await _virtualize.RefreshDataAsync();
        }

        if (!_live)
        {
            // Bounded, so a table that never asks for rows (scrolled away, or not drawn yet) cannot hold the histogram back.
            await Task.WhenAny(_firstPage.Task, Task.Delay(TimeSpan.FromSeconds(2), cancellation));
            await LoadHistogramAsync(cancellation);
        }
    }

    private async Task LoadHistogramAsync(CancellationToken cancellationToken)
    {
        try
        {
            var histogram = await Stats.HistogramAsync(_view, ApiKey, cancellationToken);
            if (!cancellationToken.IsCancellationRequested)
            {
                _histogram = histogram;
            }
        }
        catch (StatsApiException ex)
        {
            _histogram = null;
            _error = ex.Message;
        }
        catch (HttpRequestException ex)
        {
            _histogram = null;
            _error = $"The stats service cannot be reached: {ex.Message}";
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task LoadServicesAsync()
    {
        try
        {
            _services = [.. (await Stats.ServicesAsync(ApiKey, _viewCancellation.Token)).Select(s => s.Service).Order(StringComparer.Ordinal)];
            StateHasChanged();
        }
        catch (StatsApiException)
        {
            // The picker stays empty; typing service:NAME in the query still works.
        }
        catch (OperationCanceledException)
        {
            // The user left the page before the list came.
        }
    }

    /// <summary>
    /// What the virtualized table asks for: rows from the pages read so far, reading further pages through
    /// the cursor when the user scrolls past them. While more pages exist the table is told of one more page,
    /// so its scrollbar keeps room to scroll into.
    /// </summary>
    private async ValueTask<ItemsProviderResult<LogItem>> ProvideRowsAsync(ItemsProviderRequest request)
    {
        if (_live)
        {
            var shown = _shownTail;
            return new ItemsProviderResult<LogItem>(shown.Skip(request.StartIndex).Take(request.Count), shown.Count);
        }

        var generation = _generation;
        var cancellation = _viewCancellation.Token;
        try
        {
            await _pageLock.WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            return new ItemsProviderResult<LogItem>([], 0);
        }

        try
        {
            var pageSize = Options.Value.PageSize;
            while (generation == _generation && _hasMore && _rows.Count < request.StartIndex + request.Count)
            {
                var page = await Stats.SearchAsync(_view, _cursor, pageSize, ApiKey, cancellation);
                if (generation != _generation)
                {
                    break;
                }

                _rows.AddRange(page.Items);
                _cursor = page.NextCursor;
                _hasMore = page.NextCursor is not null;
            }
        }
        catch (Exception ex) when (ex is StatsApiException or HttpRequestException)
        {
            _error = ex is StatsApiException ? ex.Message : $"The stats service cannot be reached: {ex.Message}";
            _hasMore = false;
            _ = InvokeAsync(StateHasChanged);
        }
        catch (OperationCanceledException)
        {
            // A newer view replaced this one; its own request fills the table.
        }
        finally
        {
            if (generation == _generation)
            {
                _firstPage.TrySetResult();
            }

            _pageLock.Release();
        }

        var total = _rows.Count + (_hasMore ? Options.Value.PageSize : 0);
        return new ItemsProviderResult<LogItem>(_rows.Skip(request.StartIndex).Take(request.Count), total);
    }

    private async Task RunQueryAsync()
    {
        var view = Latest with { Q = _draftQuery.Trim() };
        if (view == _view && !_requested.Pending)
        {
            // The same query again: read it again (new logs may have arrived).
            await StartViewAsync();
            return;
        }

        await NavigateAsync(view);
    }

    /// <summary>Shows a view by putting it in the URL; the page loads it when the browser reports the URL back.</summary>
    private Task NavigateAsync(ExplorerView view)
    {
        var url = view.ToUrl();
        // Noted as the URL will read it back (the query trimmed, defaults dropped), so the report matches.
        if (_requested.Add(ExplorerView.FromUri(Navigation.ToAbsoluteUri(url)), _view))
        {
            Navigation.NavigateTo(url);
        }

        return Task.CompletedTask;
    }

    private void Select(LogItem log) => _selected = ReferenceEquals(_selected, log) ? null : log;

    private void OnRowKey(KeyboardEventArgs e, LogItem log)
    {
        if (e.Key is "Enter" or " ")
        {
            Select(log);
        }
    }

    private Task AddClauseAsync(string clause) => NavigateAsync(Latest with { Q = QueryClauses.And(Latest.Q, clause) });

    private Task ShowTraceAsync(string traceId) =>
        NavigateAsync(new ExplorerView { Q = QueryClauses.Clause("trace_id", traceId), Start = Latest.Start, End = Latest.End, Utc = Latest.Utc });

    private async Task SetLiveAsync(bool live)
    {
        _live = live;
        _selected = null;
        if (live)
        {
            await StartTailAsync();
        }
        else
        {
            await StopTailAsync();
            await StartViewAsync();
        }

        if (_virtualize is not null)
        {
            await _virtualize.RefreshDataAsync();
        }
    }

    /// <summary>
    /// Reads the stream into the bounded buffer on its own task, and redraws on a timer rather than per log,
    /// so a thousand logs a second cost a few redraws a second. While the user scrolls, redraws stop.
    /// </summary>
    private async Task StartTailAsync()
    {
        await StopTailAsync();
        _buffer.Clear();
        _shownTail = [];
        _shownReceived = 0;
        _scrolledAway = false;
        _tailCancellation = new CancellationTokenSource();
        var cancellation = _tailCancellation.Token;
        var view = _view;
        var key = ApiKey;
        _ = Task.Run(() => ReadTailAsync(view, key, cancellation), cancellation);
        _renderTimer = new PeriodicTimer(Options.Value.TailRenderInterval);
        _ = RedrawTailAsync(_renderTimer, cancellation);
    }

    private async Task ReadTailAsync(ExplorerView view, string key, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var log in Stats.TailAsync(view, key, cancellationToken))
            {
                _buffer.Add(log);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is StatsApiException or HttpRequestException or IOException)
        {
            await InvokeAsync(() =>
            {
                _error = $"The live tail stopped: {ex.Message}";
                StateHasChanged();
            });
        }
    }

    private async Task RedrawTailAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        long drawn = -1;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_scrolledAway || _buffer.Version == drawn)
                {
                    await InvokeAsync(StateHasChanged);
                    continue;
                }

                drawn = _buffer.Version;
                await InvokeAsync(async () =>
                {
                    _shownTail = _buffer.Snapshot();
                    _shownReceived = _buffer.Received;
                    if (_virtualize is not null)
                    {
                        await _virtualize.RefreshDataAsync();
                    }

                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task StopTailAsync()
    {
        if (_tailCancellation is not null)
        {
            await _tailCancellation.CancelAsync();
            _tailCancellation.Dispose();
            _tailCancellation = null;
        }

        _renderTimer?.Dispose();
        _renderTimer = null;
    }

    /// <summary>Called from the browser when the results scroll away from the top, and back.</summary>
    [JSInvokable]
    public Task SetScrolledAway(bool away)
    {
        _scrolledAway = away;
        return InvokeAsync(StateHasChanged);
    }

    private async Task ResumeAsync()
    {
        if (_module is not null)
        {
            await _module.InvokeVoidAsync("scrollToTop", _scroller);
        }

        _scrolledAway = false;
    }

    public async ValueTask DisposeAsync()
    {
        await StopTailAsync();
        // Cancelled, not disposed: a first render still under way when the user leaves reads its token
        // afterwards, and a source without timer or links holds nothing to release.
        await _viewCancellation.CancelAsync();
        _self?.Dispose();
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The tab closed: nothing to release on its side.
            }
        }
    }
}
