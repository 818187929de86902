using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Otlp;

/// <summary>
/// OTLP/HTTP logs, protobuf or JSON, answered in the request's encoding: refused records are counted in
/// <c>partial_success</c> (exporters log it and do not retry), failures are a <c>google.rpc.Status</c>.
/// </summary>
public sealed class OtlpApi : IIngestFormat
{
    public const string FormatName = "otlp";

    public string Name => FormatName;

    public void MapEndpoints(IEndpointRouteBuilder routes) =>
        routes.MapGroup("").WithTags("Shippers").MapPost("/v1/logs", IngestAsync)
            .WithName("IngestOtlpLogs")
            .WithSummary("OTLP/HTTP logs, protobuf or JSON")
            .WithDescription("An ExportLogsServiceRequest. Answers 200 with an ExportLogsServiceResponse; refused records are counted in partial_success.");

    private static async Task<IResult> IngestAsync([AsParameters] ShipperRequest request)
    {
        var (context, pipeline, service) = request;
        var json = request.HasMediaType(OtlpLogsFormat.JsonMediaType);
        if (!json && !request.HasMediaType(OtlpLogsFormat.ProtobufMediaType))
        {
            var refused = pipeline.Refuse<int>(FormatName, new IngestRefusal(RequestErrorCodes.UnsupportedMediaType, "Content-Type",
                $"'{context.Request.ContentType}' is not supported; send application/x-protobuf or application/json"));
            await OtlpAnswers.WriteAsync(context.Response, refused.StatusCode, OtlpAnswers.Failure(refused.StatusCode, refused.Error!), json: false);
            return pipeline.Answer(FormatName, refused.StatusCode, Results.Empty);
        }

        var result = await pipeline.IngestAsync(context, FormatName, (body, events) =>
        {
            OtlpLogsFormat.Read(json ? OtlpJsonReader.Parse(body) : OtlpLogsFormat.ParseProtobuf(body), service, events);
            return 0;
        });

        if (result.Outcome is IngestOutcome.Delivered or IngestOutcome.NothingAccepted)
        {
            // The OTLP way to report refused records: 200 with partial_success, which exporters log and do not retry.
            var rejected = result.Batch.Rejected.Count;
            await OtlpAnswers.WriteAsync(context.Response, StatusCodes.Status200OK,
                OtlpAnswers.Success(rejected, rejected == 0 ? null : result.DescribeRejections()), json);
            return pipeline.Answer(FormatName, StatusCodes.Status200OK, Results.Empty);
        }

        await OtlpAnswers.WriteAsync(context.Response, result.StatusCode, OtlpAnswers.Failure(result.StatusCode, result.Error!), json);
        return pipeline.Answer(FormatName, result.StatusCode, Results.Empty);
    }
}
