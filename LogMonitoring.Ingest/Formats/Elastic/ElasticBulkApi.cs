using System.Diagnostics;
using System.Text.Json;
using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Elastic;

/// <summary>
/// Elasticsearch's bulk API (Fluent Bit, Vector, Filebeat, Logstash), answered with the bulk response (one
/// status per action), and the version discovery its clients call before their first bulk request.
/// </summary>
public sealed class ElasticBulkApi : IIngestFormat
{
    public const string FormatName = "elasticsearch_bulk";

    public string Name => FormatName;

    public void MapEndpoints(IEndpointRouteBuilder routes)
    {
        var elastic = routes.MapGroup("").WithTags("Shippers");
        elastic.MapPost("/_bulk", ([AsParameters] ShipperRequest request) => IngestAsync(request, null))
            .WithName("IngestElasticBulk")
            .WithSummary("Elasticsearch bulk API (Fluent Bit, Vector, Filebeat, Logstash)");
        elastic.MapPost("/{index}/_bulk", ([AsParameters] ShipperRequest request, string index) => IngestAsync(request, index))
            .WithName("IngestElasticBulkIndex")
            .WithSummary("Elasticsearch bulk API with a default index");
        elastic.MapGet("/", (HttpContext context) =>
            {
                // Elasticsearch clients ask for the version before their first bulk request.
                context.Response.Headers[ElasticBulkAnswers.ProductHeader] = ElasticBulkAnswers.ProductName;
                return Results.Json(ElasticBulkAnswers.ClusterInfo());
            })
            .WithName("ElasticClusterInfo")
            .WithSummary("Elasticsearch version discovery for bulk clients")
            // A constant answer that reveals nothing; some clients ask before they send credentials.
            .AllowAnonymous();
    }

    private static async Task<IResult> IngestAsync(ShipperRequest request, string? index)
    {
        var (context, pipeline, service) = request;
        var started = Stopwatch.GetTimestamp();
        context.Response.Headers[ElasticBulkAnswers.ProductHeader] = ElasticBulkAnswers.ProductName;
        var result = await pipeline.IngestAsync(context, FormatName, (body, events) => ElasticBulkFormat.Read(body, index, service, events));

        if (result.Outcome is IngestOutcome.Delivered or IngestOutcome.NothingAccepted)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await using (var json = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                ElasticBulkAnswers.WriteBulkResponse(json, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, result.Parsed!);
            }

            return pipeline.Answer(FormatName, StatusCodes.Status200OK, Results.Empty);
        }

        return pipeline.Answer(FormatName, result.StatusCode,
            Results.Json(ElasticBulkAnswers.Error(result.StatusCode, result.Error!), statusCode: result.StatusCode));
    }
}
