using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Loki;

/// <summary>
/// Loki's push endpoint (Promtail, Alloy, Loki clients), snappy-compressed protobuf or JSON, answered as
/// Loki answers: 204 when every entry was accepted, otherwise 400 naming the refused entries (the rest kept).
/// </summary>
public sealed class LokiApi : IIngestFormat
{
    public const string FormatName = "loki";

    public string Name => FormatName;

    public void MapEndpoints(IEndpointRouteBuilder routes) =>
        routes.MapGroup("").WithTags("Shippers").MapPost("/loki/api/v1/push", IngestAsync)
            .WithName("IngestLokiPush")
            .WithSummary("Loki push: snappy-compressed protobuf or JSON")
            .WithDescription("Answers 204 when every entry was accepted, 400 naming the refused entries otherwise.");

    private static async Task<IResult> IngestAsync([AsParameters] ShipperRequest request)
    {
        var (context, pipeline, service) = request;
        var protobuf = request.HasMediaType(LokiPushFormat.ProtobufMediaType);
        if (!protobuf && !request.HasMediaType("application/json"))
        {
            var refused = pipeline.Refuse<int>(FormatName, new IngestRefusal(RequestErrorCodes.UnsupportedMediaType, "Content-Type",
                $"'{context.Request.ContentType}' is not supported; send application/x-protobuf (snappy) or application/json"));
            return pipeline.Answer(FormatName, refused.StatusCode, Results.Text(refused.Error, "text/plain", statusCode: refused.StatusCode));
        }

        // Loki's protobuf body is always snappy-compressed; some clients also say so in Content-Encoding.
        if (string.Equals(context.Request.Headers.ContentEncoding, "snappy", StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Headers.ContentEncoding = default;
        }

        var maxBytes = pipeline.Limits.MaxBodyBytes;
        var result = await pipeline.IngestAsync(context, FormatName, (body, events) =>
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

        if (result.Outcome == IngestOutcome.Delivered && result.Batch.Rejected.Count == 0)
        {
            return pipeline.Answer(FormatName, StatusCodes.Status204NoContent, Results.NoContent());
        }

        // Like Loki: the valid entries are kept, and a 400 (which clients do not retry) names the refused ones.
        var read = result.Outcome is IngestOutcome.Delivered or IngestOutcome.NothingAccepted;
        var message = read
            ? $"{result.Batch.Rejected.Count} of {result.Batch.Total} entries were refused (the others were accepted): {result.DescribeRejections()}"
            : result.Error!;
        var status = read ? StatusCodes.Status400BadRequest : result.StatusCode;
        return pipeline.Answer(FormatName, status, Results.Text(message, "text/plain", statusCode: status));
    }
}
