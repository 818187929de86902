using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using LogMonitoring.Contracts;
using LogMonitoring.ServiceDefaults.Security;
using LogMonitoring.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

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

public static class SearchApi
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/logs").WithTags("Search")
            .RequireAuthorization(Scopes.ReadLogs)
            .RequireRateLimiting(SecurityExtensions.RateLimitPolicy);

        api.MapGet("/", SearchAsync)
            .WithName("SearchLogs")
            .WithSummary("Search stored logs, newest first")
            .WithDescription("Filters combine with AND. Pass `nextCursor` from a page as `cursor` to get the next one; the cursor stays stable while new logs arrive.");

        api.MapGet("/count", CountAsync)
            .WithName("CountLogs")
            .WithSummary("Count stored logs matching the same filters as search");

        return app;
    }

    public static async Task<Results<Ok<LogSearchResponse>, ValidationProblem>> SearchAsync(
        [AsParameters] LogFilterParameters filter,
        [Description("Page size, 1 to 1000 (default 100).")] string? limit,
        [Description("The nextCursor of the previous page.")] string? cursor,
        ILogStore store,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = filter.TryBuild(time.GetUtcNow().UtcDateTime, errors);
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

        var page = await store.SearchAsync(query!, pageSize, after, cancellationToken);
        return TypedResults.Ok(new LogSearchResponse(page.Items.Select(LogItem.From).ToList(), page.Next?.Encode()));
    }

    public static async Task<Results<Ok<LogCountResponse>, ValidationProblem>> CountAsync(
        [AsParameters] LogFilterParameters filter,
        ILogStore store,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = filter.TryBuild(time.GetUtcNow().UtcDateTime, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid count parameters");
        }

        return TypedResults.Ok(new LogCountResponse(await store.CountAsync(query!, cancellationToken)));
    }
}
