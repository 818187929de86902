using Microsoft.JSInterop;
using Plotly.Blazor;

namespace LogMonitoring.Explorer.Components.Charts;

/// <summary>
/// Plotly.Blazor's chart, with every call to plotly.js ending when the chart leaves the page. The library
/// runs its calls one at a time behind a semaphore that its own disposal waits for, and a call made without
/// a token waits for the browser's answer for ever (the first drawing is one). A tab closed, or a link
/// followed, while a chart was still being drawn therefore left its circuit unable to finish disposing, and
/// the browser's request that ends the circuit (<c>/_blazor/disconnect</c>) without an answer. A browser opens
/// at most six connections to a host: six such requests and the next page load waited until the browser
/// gave up on them (20-25 s in the explorer benchmark).
/// </summary>
public sealed class ExplorerChart : PlotlyChart, IAsyncDisposable
{
    private readonly CancellationTokenSource _leaving = new();

    /// <summary>Cancelled when the chart leaves the page: pass it to every call made on the chart.</summary>
    public CancellationToken Leaving => _leaving.Token;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The library draws on its first render without a token; this draws with the chart's own. Later
        // renders draw nothing here: the owner calls React (with Leaving) when its data changes.
        if (!firstRender)
        {
            return;
        }

        try
        {
            await NewPlot(Leaving);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        AfterRender?.Invoke();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await _leaving.CancelAsync();
        var finishing = FinishAsync(DisposeAsync());
        if (finishing.IsCompleted)
        {
            await finishing;
        }

        // Otherwise the library still waits for plotly.js to load in a tab that has gone (up to the JS interop
        // timeout): nothing can be drawn or purged there any more, so the circuit does not wait with it.
    }

    /// <summary>The library's own disposal; what it fails with once the tab is gone changes nothing.</summary>
    private static async Task FinishAsync(ValueTask disposal)
    {
        try
        {
            await disposal;
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or OperationCanceledException)
        {
        }
    }
}
