using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Gelf;

/// <summary>GELF over HTTP, as Graylog's HTTP input answers it: 202 with no body, problem details when nothing was valid.</summary>
public sealed class GelfApi : IIngestFormat
{
    public const string FormatName = "gelf";

    public string Name => FormatName;

    public void MapEndpoints(IEndpointRouteBuilder routes) =>
        routes.MapGroup("").WithTags("Shippers").MapPost("/gelf", IngestAsync)
            .WithName("IngestGelf")
            .WithSummary("GELF over HTTP (Graylog's HTTP input)")
            .WithDescription("One GELF 1.1 message, or several separated by newlines. Answers 202 with no body.");

    private static async Task<IResult> IngestAsync([AsParameters] ShipperRequest request)
    {
        var (context, pipeline, service) = request;
        var result = await pipeline.IngestAsync(context, FormatName, (body, events) =>
        {
            GelfFormat.Read(body, service, events);
            return 0;
        });

        return result.Outcome switch
        {
            IngestOutcome.Delivered => pipeline.Answer(FormatName, StatusCodes.Status202Accepted, Results.StatusCode(StatusCodes.Status202Accepted)),
            IngestOutcome.NothingAccepted => pipeline.Answer(FormatName, StatusCodes.Status400BadRequest, TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest, title: "No valid GELF message", detail: result.DescribeRejections(),
                extensions: new Dictionary<string, object?> { ["rejected"] = result.Batch.Rejected })),
            _ => pipeline.Answer(FormatName, result.StatusCode, TypedResults.Problem(statusCode: result.StatusCode, detail: result.Error)),
        };
    }
}
