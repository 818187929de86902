using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Kafka;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.Extensions.Options;

namespace LogMonitoring.Ingest.Apis;

/// <summary>The answer to an ingest request: how many events Kafka holds now, and which were refused.</summary>
public sealed record IngestResponse(int Accepted, IReadOnlyList<LogEventRejection> Rejected);

public static class LogsApi
{
    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/logs").WithTags("Ingest")
            .RequireAuthorization(Scopes.WriteLogs)
            .RequireIngestRateLimits();

        api.MapPost("/", IngestLogsAsync)
            .WithName("IngestLogs")
            .WithSummary("Send log events")
            .WithDescription(
                "Takes one event (a JSON object), many (a JSON array) or NDJSON (application/x-ndjson), optionally " +
                "compressed (Content-Encoding: gzip, deflate or br). Answers 202 only after Kafka acknowledged every " +
                "accepted event; invalid events are listed by index in `rejected`. 400 when no event is valid, 413 over " +
                "a size limit, 415 for other media types, 429/503 with Retry-After when Kafka cannot take more.")
            // Described for OpenAPI only: an Accepts() constraint would let routing answer 415 without a problem body.
            .AddOpenApiOperationTransformer(DescribeRequestBodyAsync)
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();

        return app;
    }

    private static async Task DescribeRequestBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var events = await context.GetOrCreateSchemaAsync(typeof(LogEventInput[]), null, cancellationToken);
        var single = await context.GetOrCreateSchemaAsync(typeof(LogEventInput), null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "One event, a JSON array of events, or NDJSON (one event per line).",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = [single, events] } },
                ["application/x-ndjson"] = new() { Schema = single },
            },
        };
    }

    public static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> IngestLogsAsync(
        HttpContext context,
        [FromServices] LogBatchParser parser,
        [FromServices] LogEventProducer producer,
        [FromServices] IngestMetrics metrics,
        [FromServices] IOptions<IngestOptions> options,
        [FromServices] TimeProvider time)
    {
        var result = await IngestAsync(context, parser, producer, metrics, options.Value, time);
        metrics.Request(result.Result is ProblemHttpResult problem ? problem.StatusCode : StatusCodes.Status202Accepted);
        return result;
    }

    private static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> IngestAsync(
        HttpContext context, LogBatchParser parser, LogEventProducer producer, IngestMetrics metrics, IngestOptions options, TimeProvider time)
    {
        var limits = parser.Reader.Limits;
        if (LogRequestBody.TryGetFormat(context.Request, out var format) is { } formatError)
        {
            metrics.Rejected(1, "media_type");
            return Problem(formatError.StatusCode, formatError.Field, formatError.Detail);
        }

        LogRequestBody.ApplyBodySizeLimit(context, limits.MaxBodyBytes);
        var (buffer, length, readError) = await LogRequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
        if (readError is not null)
        {
            metrics.Rejected(1, readError.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too_large" : "encoding");
            return Problem(readError.StatusCode, readError.Field, readError.Detail);
        }

        LogBatch batch;
        LogBatchError? parseError;
        try
        {
            parseError = parser.Read(buffer.AsMemory(0, length), format, time.GetUtcNow().UtcDateTime, out batch);
        }
        finally
        {
            LogRequestBody.Return(buffer);
        }

        if (parseError is not null)
        {
            metrics.Rejected(Math.Max(1, batch.Total), parseError.TooLarge ? "too_large" : "malformed");
            return Problem(parseError.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, parseError.Field, parseError.Detail, code: parseError.Code);
        }

        metrics.Received(batch.Total);
        if (batch.Rejected.Count > 0)
        {
            metrics.Rejected(batch.Rejected.Count, "invalid");
        }

        if (batch.Accepted.Count == 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "No valid log event",
                detail: $"All {batch.Total} event(s) were refused; see 'rejected' for each event's errors.",
                extensions: new Dictionary<string, object?> { ["rejected"] = batch.Rejected });
        }

        var produced = await producer.ProduceAsync(batch.Accepted);
        switch (produced.Status)
        {
            case ProduceStatus.Delivered:
                metrics.Accepted(batch.Accepted.Count);
                return TypedResults.Accepted((string?)null, new IngestResponse(batch.Accepted.Count, batch.Rejected));
            case ProduceStatus.Overloaded:
                metrics.Rejected(batch.Accepted.Count, "overloaded");
                context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status429TooManyRequests, "body", produced.Error!, "Ingest is at capacity");
            default:
                metrics.Rejected(batch.Accepted.Count, "kafka_unavailable");
                context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable, "kafka", produced.Error!, "Kafka did not acknowledge the events; retry the whole request");
        }
    }

    private static ProblemHttpResult Problem(int statusCode, string field, string detail, string? title = null, string? code = null)
    {
        var extensions = new Dictionary<string, object?> { ["field"] = field };
        if (code is not null)
        {
            extensions["code"] = code;
        }

        return TypedResults.Problem(statusCode: statusCode, title: title ?? ReasonTitle(statusCode), detail: $"{field}: {detail}", extensions: extensions);
    }

    private static string ReasonTitle(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => "Invalid request",
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Request refused",
    };
}
