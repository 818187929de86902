using LogMonitoring.Contracts;
using LogMonitoring.Ingest.Pipeline;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LogMonitoring.Ingest.Formats.Native;

/// <summary>The answer to an ingest request: how many events Kafka holds now, and which were refused.</summary>
public sealed record IngestResponse(int Accepted, IReadOnlyList<LogEventRejection> Rejected);

/// <summary>What <c>POST /api/logs</c> takes (bound with <c>[AsParameters]</c>).</summary>
public sealed record NativeRequest(HttpContext Context, [FromServices] IngestPipeline Pipeline, [FromServices] LogBatchParser Parser);

/// <summary>
/// Our own format, <c>POST /api/logs</c>: one event, a JSON array or NDJSON, answered with 202 and the
/// refused events by index, or with problem details naming the field, the code and the limit.
/// </summary>
public sealed class NativeApi : IIngestFormat
{
    public const string FormatName = "native";

    public string Name => FormatName;

    public void MapEndpoints(IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/logs").WithTags("Ingest").MapPost("/", IngestLogsAsync)
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
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
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

    public static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> IngestLogsAsync([AsParameters] NativeRequest request)
    {
        var (context, pipeline, parser) = request;
        var result = NativeFraming.TryGet(context.Request, out var framing) is { } unsupported
            ? pipeline.Refuse<int>(FormatName, unsupported)
            : await pipeline.IngestAsync(context, FormatName, (body, events) =>
                parser.Read(body, framing, events.Now, events.Batch) is { } error
                    ? throw new IngestBodyException(error.Code, error.Field, error.Detail)
                    : 0);

        Results<Accepted<IngestResponse>, ProblemHttpResult> answer = result.Outcome switch
        {
            IngestOutcome.Delivered => TypedResults.Accepted((string?)null, new IngestResponse(result.Batch.Accepted.Count, result.Batch.Rejected)),
            IngestOutcome.NothingAccepted => TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "No valid log event",
                detail: $"All {result.Batch.Total} event(s) were refused; see 'rejected' for each event's errors.",
                extensions: new Dictionary<string, object?> { ["rejected"] = result.Batch.Rejected }),
            IngestOutcome.Refused => Problem(result.StatusCode, result.Refusal!.Field, result.Refusal.Detail, code: result.Refusal.Code),
            IngestOutcome.Overloaded => Problem(StatusCodes.Status429TooManyRequests, "body", result.ProduceError!, "Ingest is at capacity"),
            _ => Problem(StatusCodes.Status503ServiceUnavailable, "kafka", result.ProduceError!, "Kafka did not acknowledge the events; retry the whole request"),
        };
        pipeline.Answered(FormatName, answer.Result is ProblemHttpResult problem ? problem.StatusCode : StatusCodes.Status202Accepted);
        return answer;
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
