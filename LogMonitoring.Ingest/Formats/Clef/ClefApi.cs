using LogMonitoring.Ingest.Pipeline;

namespace LogMonitoring.Ingest.Formats.Clef;

/// <summary>
/// Seq's ingestion endpoints, answered as Seq answers: 201 with <c>MinimumLevelAccepted</c>, errors as
/// <c>{"Error": "..."}</c>. Serilog.Sinks.Seq and seqcli work unchanged; X-Seq-ApiKey is accepted.
/// </summary>
public sealed class ClefApi : IIngestFormat
{
    public const string FormatName = "clef";

    public string Name => FormatName;

    public void MapEndpoints(IEndpointRouteBuilder routes)
    {
        var seq = routes.MapGroup("").WithTags("Shippers");
        seq.MapPost("/ingest/clef", ([AsParameters] ShipperRequest request) => IngestAsync(request, requireClefMarker: false))
            .WithName("IngestClef")
            .WithSummary("Seq CLEF ingestion (Serilog.Sinks.Seq, seqcli)")
            .WithDescription("Newline-delimited CLEF events. Answers 201 {\"MinimumLevelAccepted\":null}; X-Seq-ApiKey is accepted.");
        seq.MapPost("/api/events/raw", ([AsParameters] ShipperRequest request) => IngestAsync(request, requireClefMarker: true))
            .WithName("IngestSeqRaw")
            .WithSummary("Seq raw ingestion with ?clef (older Seq clients)");
    }

    private static async Task<IResult> IngestAsync(ShipperRequest request, bool requireClefMarker)
    {
        var pipeline = request.Pipeline;
        var result = requireClefMarker && !request.Context.Request.Query.ContainsKey("clef") && !request.HasMediaType(ClefFormat.MediaType)
            ? pipeline.Refuse<int>(FormatName, new IngestRefusal(RequestErrorCodes.UnsupportedMediaType, "body",
                "Seq's older JSON format is not supported; send CLEF (add ?clef, or Content-Type: application/vnd.serilog.clef)"))
            : await pipeline.IngestAsync(request.Context, FormatName, (body, events) =>
            {
                ClefFormat.Read(body, request.Service, events);
                return 0;
            });

        return result.Outcome switch
        {
            // Seq answers 201; the sink reads MinimumLevelAccepted to adjust its level (null: no change).
            IngestOutcome.Delivered => pipeline.Answer(FormatName, StatusCodes.Status201Created,
                Results.Json(new Dictionary<string, object?> { ["MinimumLevelAccepted"] = null }, statusCode: StatusCodes.Status201Created)),
            IngestOutcome.NothingAccepted => pipeline.Answer(FormatName, StatusCodes.Status400BadRequest,
                SeqError($"No valid event: {result.DescribeRejections()}", StatusCodes.Status400BadRequest)),
            _ => pipeline.Answer(FormatName, result.StatusCode, SeqError(result.Error!, result.StatusCode)),
        };
    }

    // Seq's error body.
    private static IResult SeqError(string error, int statusCode) =>
        Results.Json(new Dictionary<string, string> { ["Error"] = error }, statusCode: statusCode);
}
