using System.Diagnostics;
using System.Text.Json;
using LogMonitoring.Ingest.Formats;
using LogMonitoring.Ingest.Formats.Elastic;
using LogMonitoring.Ingest.Formats.Gelf;
using LogMonitoring.Ingest.Formats.Loki;
using LogMonitoring.Ingest.Formats.Otlp;
using LogMonitoring.ServiceDefaults.Security;
using Microsoft.Net.Http.Headers;

namespace LogMonitoring.Ingest.Apis;

/// <summary>
/// The endpoints that speak the shippers' own protocols, so a team switches to us by changing one URL:
/// Seq's CLEF (Serilog), OTLP/HTTP logs (OpenTelemetry), Loki push (Promtail, Alloy), Elasticsearch bulk
/// (Fluent Bit, Vector, Filebeat, Logstash) and GELF. Each converts its records into our log event and
/// shares validation, limits and the Kafka path with <c>POST /api/logs</c> (see <see cref="ShipperIngestion"/>);
/// each answers the way its clients expect, including their retry signals.
/// </summary>
public static class ShipperApis
{
    public static IEndpointRouteBuilder MapShipperApis(this IEndpointRouteBuilder app)
    {
        // One per application: it holds no state of its own beyond the shared producer and metrics.
        var ingestion = ActivatorUtilities.CreateInstance<ShipperIngestion>(app.ServiceProvider);
        // Every route takes ?service=NAME: the service of records that name none. Credentials are the same
        // as for POST /api/logs (X-Api-Key, X-Seq-ApiKey, Authorization ApiKey/Basic/Bearer) with the logs:write scope.
        var shippers = app.MapGroup("").WithTags("Shippers").DisableAntiforgery()
            .RequireAuthorization(Scopes.WriteLogs)
            .RequireIngestRateLimits();

        shippers.MapPost("/ingest/clef", (HttpContext context, string? service) => IngestClefAsync(context, ingestion, service, requireClefMarker: false))
            .WithName("IngestClef")
            .WithSummary("Seq CLEF ingestion (Serilog.Sinks.Seq, seqcli)")
            .WithDescription("Newline-delimited CLEF events. Answers 201 {\"MinimumLevelAccepted\":null}; X-Seq-ApiKey is accepted.");
        shippers.MapPost("/api/events/raw", (HttpContext context, string? service) => IngestClefAsync(context, ingestion, service, requireClefMarker: true))
            .WithName("IngestSeqRaw")
            .WithSummary("Seq raw ingestion with ?clef (older Seq clients)");

        shippers.MapPost("/v1/logs", (HttpContext context, string? service) => IngestOtlpAsync(context, ingestion, service))
            .WithName("IngestOtlpLogs")
            .WithSummary("OTLP/HTTP logs, protobuf or JSON")
            .WithDescription("An ExportLogsServiceRequest. Answers 200 with an ExportLogsServiceResponse; refused records are counted in partial_success.");

        shippers.MapPost("/loki/api/v1/push", (HttpContext context, string? service) => IngestLokiAsync(context, ingestion, service))
            .WithName("IngestLokiPush")
            .WithSummary("Loki push: snappy-compressed protobuf or JSON")
            .WithDescription("Answers 204 when every entry was accepted, 400 naming the refused entries otherwise.");

        shippers.MapPost("/_bulk", (HttpContext context, string? service) => IngestBulkAsync(context, ingestion, null, service))
            .WithName("IngestElasticBulk")
            .WithSummary("Elasticsearch bulk API (Fluent Bit, Vector, Filebeat, Logstash)");
        shippers.MapPost("/{index}/_bulk", (HttpContext context, string index, string? service) => IngestBulkAsync(context, ingestion, index, service))
            .WithName("IngestElasticBulkIndex")
            .WithSummary("Elasticsearch bulk API with a default index");
        shippers.MapGet("/", (HttpContext context) =>
            {
                // Elasticsearch clients ask for the version before their first bulk request.
                context.Response.Headers[ElasticBulkAnswers.ProductHeader] = ElasticBulkAnswers.ProductName;
                return Results.Json(ElasticBulkAnswers.ClusterInfo());
            })
            .WithName("ElasticClusterInfo")
            .WithSummary("Elasticsearch version discovery for bulk clients")
            // A constant answer that reveals nothing; some clients ask before they send credentials.
            .AllowAnonymous();

        shippers.MapPost("/gelf", (HttpContext context, string? service) => IngestGelfAsync(context, ingestion, service))
            .WithName("IngestGelf")
            .WithSummary("GELF over HTTP (Graylog's HTTP input)")
            .WithDescription("One GELF 1.1 message, or several separated by newlines. Answers 202 with no body.");

        return app;
    }

    private static async Task<IResult> IngestClefAsync(HttpContext context, ShipperIngestion ingestion, string? service, bool requireClefMarker)
    {
        var request = context.Request;
        if (requireClefMarker && !request.Query.ContainsKey("clef") && !HasMediaType(request, ClefFormat.MediaType))
        {
            var refused = ingestion.Refuse<int>(StatusCodes.Status415UnsupportedMediaType, "body",
                "Seq's older JSON format is not supported; send CLEF (add ?clef, or Content-Type: application/vnd.serilog.clef)");
            return Answer(ingestion, refused.StatusCode, SeqError(refused.Error!, refused.StatusCode));
        }

        var result = await ingestion.IngestAsync(context, "clef", (body, events) =>
        {
            ClefFormat.Read(body, service, events);
            return 0;
        });
        return result.Outcome switch
        {
            // Seq answers 201; the sink reads MinimumLevelAccepted to adjust its level (null: no change).
            ShipperOutcome.Delivered => Answer(ingestion, StatusCodes.Status201Created,
                Results.Json(new Dictionary<string, object?> { ["MinimumLevelAccepted"] = null }, statusCode: StatusCodes.Status201Created)),
            ShipperOutcome.NothingAccepted => Answer(ingestion, StatusCodes.Status400BadRequest,
                SeqError($"No valid event: {result.DescribeRejections()}", StatusCodes.Status400BadRequest)),
            _ => Answer(ingestion, result.StatusCode, SeqError(result.Error!, result.StatusCode)),
        };
    }

    private static async Task<IResult> IngestOtlpAsync(HttpContext context, ShipperIngestion ingestion, string? service)
    {
        var json = HasMediaType(context.Request, OtlpLogsFormat.JsonMediaType);
        if (!json && !HasMediaType(context.Request, OtlpLogsFormat.ProtobufMediaType))
        {
            var refused = ingestion.Refuse<int>(StatusCodes.Status415UnsupportedMediaType, "Content-Type",
                $"'{context.Request.ContentType}' is not supported; send application/x-protobuf or application/json");
            await OtlpAnswers.WriteAsync(context.Response, refused.StatusCode, OtlpAnswers.Failure(refused.StatusCode, refused.Error!), json: false);
            return Answer(ingestion, refused.StatusCode, Results.Empty);
        }

        var result = await ingestion.IngestAsync(context, "otlp", (body, events) =>
        {
            var request = json ? OtlpJsonReader.Parse(body) : OtlpLogsFormat.ParseProtobuf(body);
            OtlpLogsFormat.Read(request, service, events);
            return 0;
        });

        if (result.Outcome is ShipperOutcome.Delivered or ShipperOutcome.NothingAccepted)
        {
            // The OTLP way to report refused records: 200 with partial_success, which exporters log and do not retry.
            var rejected = result.Batch.Rejected.Count;
            await OtlpAnswers.WriteAsync(context.Response, StatusCodes.Status200OK,
                OtlpAnswers.Success(rejected, rejected == 0 ? null : result.DescribeRejections()), json);
            return Answer(ingestion, StatusCodes.Status200OK, Results.Empty);
        }

        await OtlpAnswers.WriteAsync(context.Response, result.StatusCode, OtlpAnswers.Failure(result.StatusCode, result.Error!), json);
        return Answer(ingestion, result.StatusCode, Results.Empty);
    }

    private static async Task<IResult> IngestLokiAsync(HttpContext context, ShipperIngestion ingestion, string? service)
    {
        var request = context.Request;
        var protobuf = HasMediaType(request, LokiPushFormat.ProtobufMediaType);
        if (!protobuf && !HasMediaType(request, "application/json"))
        {
            var refused = ingestion.Refuse<int>(StatusCodes.Status415UnsupportedMediaType, "Content-Type",
                $"'{request.ContentType}' is not supported; send application/x-protobuf (snappy) or application/json");
            return Answer(ingestion, refused.StatusCode, Results.Text(refused.Error, "text/plain", statusCode: refused.StatusCode));
        }

        // Loki's protobuf body is always snappy-compressed; some clients also say so in Content-Encoding.
        if (string.Equals(request.Headers.ContentEncoding, "snappy", StringComparison.OrdinalIgnoreCase))
        {
            request.Headers.ContentEncoding = default;
        }

        var maxBytes = ingestion.Limits.MaxBodyBytes;
        var result = await ingestion.IngestAsync(context, "loki", (body, events) =>
        {
            if (protobuf)
            {
                LokiPushFormat.Read(LokiPushFormat.ParseProtobuf(body.Span, maxBytes), service, events);
            }
            else
            {
                LokiPushFormat.ReadJson(body, service, events);
            }

            return 0;
        });

        if (result.Outcome == ShipperOutcome.Delivered && result.Batch.Rejected.Count == 0)
        {
            return Answer(ingestion, StatusCodes.Status204NoContent, Results.NoContent());
        }

        // Like Loki: the valid entries are kept, and a 400 (which clients do not retry) names the refused ones.
        var message = result.Outcome is ShipperOutcome.Delivered or ShipperOutcome.NothingAccepted
            ? $"{result.Batch.Rejected.Count} of {result.Batch.Total} entries were refused (the others were accepted): {result.DescribeRejections()}"
            : result.Error!;
        var status = result.Outcome is ShipperOutcome.Delivered or ShipperOutcome.NothingAccepted ? StatusCodes.Status400BadRequest : result.StatusCode;
        return Answer(ingestion, status, Results.Text(message, "text/plain", statusCode: status));
    }

    private static async Task<IResult> IngestBulkAsync(HttpContext context, ShipperIngestion ingestion, string? index, string? service)
    {
        var started = Stopwatch.GetTimestamp();
        context.Response.Headers[ElasticBulkAnswers.ProductHeader] = ElasticBulkAnswers.ProductName;
        var result = await ingestion.IngestAsync(context, "elasticsearch_bulk",
            (body, events) => ElasticBulkFormat.Read(body, index, service, events));

        if (result.Outcome is ShipperOutcome.Delivered or ShipperOutcome.NothingAccepted)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                ElasticBulkAnswers.WriteBulkResponse(json, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, result.Parsed!);
            }

            return Answer(ingestion, StatusCodes.Status200OK, Results.Empty);
        }

        return Answer(ingestion, result.StatusCode, Results.Json(ElasticBulkAnswers.Error(result.StatusCode, result.Error!), statusCode: result.StatusCode));
    }

    private static async Task<IResult> IngestGelfAsync(HttpContext context, ShipperIngestion ingestion, string? service)
    {
        var result = await ingestion.IngestAsync(context, "gelf", (body, events) =>
        {
            GelfFormat.Read(body, service, events);
            return 0;
        });
        return result.Outcome switch
        {
            ShipperOutcome.Delivered => Answer(ingestion, StatusCodes.Status202Accepted, Results.StatusCode(StatusCodes.Status202Accepted)),
            ShipperOutcome.NothingAccepted => Answer(ingestion, StatusCodes.Status400BadRequest, TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest, title: "No valid GELF message", detail: result.DescribeRejections(),
                extensions: new Dictionary<string, object?> { ["rejected"] = result.Batch.Rejected })),
            _ => Answer(ingestion, result.StatusCode, TypedResults.Problem(statusCode: result.StatusCode, detail: result.Error)),
        };
    }

    private static IResult Answer(ShipperIngestion ingestion, int statusCode, IResult result)
    {
        ingestion.Metrics.Request(statusCode);
        return result;
    }

    // Seq's error body.
    private static IResult SeqError(string error, int statusCode) =>
        Results.Json(new Dictionary<string, string> { ["Error"] = error }, statusCode: statusCode);

    private static bool HasMediaType(HttpRequest request, string mediaType) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) &&
        parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);
}
