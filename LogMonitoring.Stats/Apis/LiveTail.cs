using System.ComponentModel;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using Microsoft.AspNetCore.Mvc;

namespace LogMonitoring.Stats.Apis;

/// <summary>
/// <c>GET /api/logs/tail</c>: newly stored logs matching a query, as Server-Sent Events. Each event's id is
/// the store's position right after that log, so a client that reconnects with <c>Last-Event-ID</c> gets
/// exactly the logs it had not received. The store is polled every <c>Search:TailPollInterval</c>.
/// </summary>
public static class LiveTail
{
    public const string LogEvent = "log";
    public const string HeartbeatEvent = "heartbeat";
    public const int PageSize = 500;
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(15);

    /// <summary>How often a heartbeat carries a moved position while nothing matches.</summary>
    public static readonly TimeSpan PositionEvery = TimeSpan.FromSeconds(2);

    public static async Task<IResult> StreamAsync(
        HttpContext http,
        [AsParameters] LogFilterParameters filter,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        [Description("Resume after this event id (what Last-Event-ID carries), for clients that cannot set the header.")] string? after,
        [AsParameters] SearchServices services,
        TailRegistry tails,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = filter.TryBuild(services.Time.GetUtcNow().UtcDateTime, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid tail parameters");
        }

        var key = http.User.Identity?.Name ?? "anonymous";
        var slot = tails.TryOpen(key);
        if (slot is null)
        {
            http.Response.Headers.RetryAfter = "10";
            return TypedResults.Problem(
                title: "Too many live tails",
                detail: $"This API key holds {tails.Limit} live tails open, the limit (Search:MaxTailsPerKey); close one first.",
                statusCode: StatusCodes.Status429TooManyRequests);
        }

        try
        {
            var resume = lastEventId ?? after;
            var position = resume is null ? await services.Search.TailEndAsync(cancellationToken) : new TailPosition(resume);
            // The first read happens here, so a position this store never issued is a 400, not a broken stream.
            var first = await services.Search.TailAsync(query!, position, PageSize, cancellationToken);
            return TypedResults.ServerSentEvents(Events(services, query!, position, first, slot, cancellationToken));
        }
        catch (FormatException)
        {
            slot.Dispose();
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [lastEventId is null ? "after" : "Last-Event-ID"] = ["is not an event id of this stream"] },
                title: "Invalid tail parameters");
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    private static async IAsyncEnumerable<SseItem<object>> Events(
        SearchServices services, LogQuery query, TailPosition start, TailPage page, IDisposable slot, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = slot;
        // At once, so the client has the response (and the position it starts from) before the first log.
        yield return new SseItem<object>(new { }, HeartbeatEvent) { EventId = start.Token };
        var poll = services.Options.Value.TailPollInterval;
        var lastSent = services.Time.GetTimestamp();
        TailPosition? sentPosition = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var item in page.Items)
            {
                yield return new SseItem<object>(LogItem.From(item.Event), LogEvent) { EventId = item.Position.Token };
                lastSent = services.Time.GetTimestamp();
                sentPosition = item.Position;
            }

            var quiet = services.Time.GetElapsedTime(lastSent);
            if ((page.Position != sentPosition && quiet >= PositionEvery) || quiet >= HeartbeatEvery)
            {
                // Moves the client's resume position past logs that did not match, and keeps proxies from closing an idle stream.
                yield return new SseItem<object>(new { }, HeartbeatEvent) { EventId = page.Position.Token };
                lastSent = services.Time.GetTimestamp();
                sentPosition = page.Position;
            }

            if (page.Items.Count < PageSize)
            {
                try
                {
                    await Task.Delay(poll, services.Time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }

            page = await services.Search.TailAsync(query, page.Position, PageSize, cancellationToken);
        }
    }
}
