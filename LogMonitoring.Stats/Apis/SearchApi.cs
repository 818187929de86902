using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using LogMonitoring.Contracts;
using LogMonitoring.ServiceDefaults.Security;
using LogMonitoring.Storage;
using LogMonitoring.Storage.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Stats.Apis;

/// <summary>One stored log as the search API returns it.</summary>
public sealed record LogItem(
    string Id,
    [property: JsonPropertyName("source_id")] string? SourceId,
    DateTime Timestamp,
    string Level,
    string Service,
    string Message,
    JsonElement? Metadata,
    string? Host,
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("span_id")] string? SpanId,
    [property: JsonPropertyName("received_at")] DateTime? ReceivedAt)
{
    public static LogItem From(LogEvent e) => new(
        e.Id, e.SourceId, e.Timestamp, e.Level.ToWireName(), e.Service, e.Message,
        e.MetadataJson is null ? null : JsonDocument.Parse(e.MetadataJson).RootElement,
        e.Host, e.TraceId, e.SpanId, e.ReceivedAt);
}

public sealed record LogSearchResponse(IReadOnlyList<LogItem> Items, string? NextCursor);

public sealed record LogCountResponse(long Count);

/// <summary>What the search endpoints use, as one <c>[AsParameters]</c> record.</summary>
public sealed record SearchServices(ILogStore Store, ILogSearch Search, TimeProvider Time, IOptions<SearchOptions> Options);

public static class SearchApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/logs").WithTags("Search")
            .RequireAuthorization(Scopes.ReadLogs)
            .RequireRateLimiting(SecurityExtensions.RateLimitPolicy)
            .AddEndpointFilter(AnswerTimeoutsWith503)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapGet("/", SearchAsync)
            .WithName("SearchLogs")
            .WithSummary("Search stored logs, newest first")
            .WithDescription("`q` takes the query language (see docs/api.md); `service`, `level`, `start` and `end` combine with it by AND. Pass `nextCursor` from a page as `cursor` to get the next one; the cursor stays stable while new logs arrive.");

        api.MapGet("/count", CountAsync)
            .WithName("CountLogs")
            .WithSummary("Count stored logs matching the same filters as search");

        api.MapGet("/histogram", LogHistogram.GetAsync)
            .WithName("GetLogHistogram")
            .WithSummary("Counts of matching logs over time, per bucket and level")
            .WithDescription("One bucket per `interval` (1s to 1d, dividing a day evenly, or `auto` for about 60 buckets) from `start` to `end` (default: the last hour), empty buckets included. The range may not exceed `Search:MaxAggregationRange` (31 days).");

        api.MapGet("/top", LogTop.GetAsync)
            .WithName("GetTopValues")
            .WithSummary("The most frequent values of a field among matching logs (count by)")
            .WithDescription("`field` is service, level, host, trace_id, span_id or any metadata path (`http.route`). Counts single values (not arrays or objects), most frequent first; default range: the last hour.");

        api.MapGet("/tail", LiveTail.StreamAsync)
            .WithName("TailLogs")
            .WithSummary("Live tail: matching logs as they are stored, as Server-Sent Events")
            .WithDescription("Each `log` event's `id` is a resume position: reconnecting with `Last-Event-ID` (browsers do it themselves) continues after it, with no gap and no repeat. `heartbeat` events move the position while nothing matches. At most `Search:MaxTailsPerKey` (5) tails per API key.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return app;
    }

    public static async Task<Results<Ok<LogSearchResponse>, ValidationProblem>> SearchAsync(
        [AsParameters] LogFilterParameters filter,
        [Description("Page size, 1 to 1000 (default 100).")] string? limit,
        [Description("The nextCursor of the previous page.")] string? cursor,
        [AsParameters] SearchServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = filter.TryBuild(services.Time.GetUtcNow().UtcDateTime, errors);
        var pageSize = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
        }

        LogCursor? after = null;
        if (cursor is not null && !LogCursor.TryDecode(cursor, out after))
        {
            errors["cursor"] = ["is not a cursor returned by this API"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid search parameters");
        }

        var page = await services.Store.SearchAsync(query!, pageSize, after, cancellationToken);
        return TypedResults.Ok(new LogSearchResponse(page.Items.Select(LogItem.From).ToList(), page.Next?.Encode()));
    }

    public static async Task<Results<Ok<LogCountResponse>, ValidationProblem>> CountAsync(
        [AsParameters] LogFilterParameters filter,
        [AsParameters] SearchServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = filter.TryBuild(services.Time.GetUtcNow().UtcDateTime, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid count parameters");
        }

        return TypedResults.Ok(new LogCountResponse(await services.Store.CountAsync(query!, cancellationToken)));
    }

    /// <summary>A query the store stopped at <see cref="SearchOptions.QueryTimeout"/> is a 503, never a hung request.</summary>
    private static async ValueTask<object?> AnswerTimeoutsWith503(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (LogSearchTimeoutException ex)
        {
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(
                title: "The query took too long",
                detail: ex.Message,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
