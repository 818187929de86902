using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LogMonitoring.BrowserTests;

/// <summary>
/// A tab closed or a link followed at any moment: the server lets the page go at once. When it did not, the
/// browser's request that ends the page's circuit (<c>/_blazor/disconnect</c>) stayed unanswered; a browser
/// keeps six connections to a host, so six pages left that way and the next one waited until they were dropped.
/// </summary>
[Collection(ExplorerCollection.Name)]
public sealed class LeavingThePageTests(ExplorerFixture system)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_page_left_before_the_browser_answered_the_chart_is_released_at_once()
    {
        var service = ExplorerFixture.UniqueService("leave");
        await system.PostAndWaitAsync($"service:{service}", [ExplorerFixture.Log(service, "ERROR", "left behind")], Ct);
        var link = $"/?q={Uri.EscapeDataString($"service:{service}")}";
        var explorer = await system.OpenAsync(link);

        // The next load of the page never hears back about drawing its histogram, as when the tab goes away
        // before the browser answers: the server's message asking for the drawing is held back.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await explorer.Page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/_blazor\\?id="), page =>
        {
            var server = page.ConnectToServer();
            page.OnMessage(frame => Forward(frame, server.Send, server.Send));
            server.OnMessage(frame =>
            {
                if (frame.Binary is { } binary && HoldBack(binary, "newPlot") is { } rest)
                {
                    held.TrySetResult();
                    if (rest.Length > 0)
                    {
                        page.Send(rest);
                    }

                    return;
                }

                Forward(frame, page.Send, page.Send);
            });
        });
        // Reloading ends the first load's circuit, leaving ends the second's: two requests to answer.
        var before = await AnsweredDisconnectsAsync();
        await explorer.Page.GotoAsync(link);
        await Expect(explorer.Messages).ToHaveTextAsync(["left behind"]);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Leaving sends the request that ends the circuit; it is answered once the circuit is disposed.
        await explorer.Page.GotoAsync("about:blank");
        var answered = before;
        for (var attempt = 0; attempt < 60 && answered < before + 2; attempt++)
        {
            await Task.Delay(500, Ct);
            answered = await AnsweredDisconnectsAsync();
        }

        Assert.True(answered >= before + 2, $"{answered - before} of the 2 requests ending a circuit answered: the page left while its chart was drawn is still held on the server");
        await explorer.CloseAsync();
    }

    private static void Forward(IWebSocketFrame frame, Action<string> text, Action<byte[]> binary)
    {
        if (frame.Binary is { } bytes)
        {
            binary(bytes);
        }
        else
        {
            text(frame.Text ?? "");
        }
    }

    /// <summary>
    /// The frame without the one SignalR message naming <paramref name="identifier"/>, or null when none does. A
    /// frame may carry several messages (MessagePack, each after its length as a 7-bit varint); the others pass.
    /// </summary>
    private static byte[]? HoldBack(byte[] frame, string identifier)
    {
        var needle = Encoding.UTF8.GetBytes(identifier);
        if (frame.AsSpan().IndexOf(needle) < 0)
        {
            // Also the handshake's answer, which is JSON even on the binary protocol.
            return null;
        }

        var kept = new List<byte>();
        var found = false;
        var position = 0;
        while (position < frame.Length)
        {
            var start = position;
            int length = 0, shift = 0;
            byte next;
            do
            {
                next = frame[position++];
                length |= (next & 0x7f) << shift;
                shift += 7;
            }
            while ((next & 0x80) != 0);

            var message = frame.AsSpan(start, position - start + length);
            if (!found && frame.AsSpan(position, length).IndexOf(needle) >= 0)
            {
                found = true;
            }
            else
            {
                kept.AddRange(message.ToArray());
            }

            position += length;
        }

        return found ? [.. kept] : null;
    }

    /// <summary>Requests ending a circuit the explorer has answered so far, from its own metrics.</summary>
    private async Task<double> AnsweredDisconnectsAsync()
    {
        using var http = new HttpClient { BaseAddress = system.ExplorerUrl };
        var metrics = await http.GetStringAsync("/metrics", Ct);
        return metrics.Split('\n')
            .Where(line => line.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && line.Contains("http_route=\"/_blazor/disconnect", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
    }
}
