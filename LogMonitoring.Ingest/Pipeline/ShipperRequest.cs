using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace LogMonitoring.Ingest.Pipeline;

/// <summary>
/// What a shipper format's endpoint takes (bound with <c>[AsParameters]</c>): the request, the pipeline,
/// and <c>?service=NAME</c>, the service of records that name none.
/// </summary>
public sealed record ShipperRequest(
    HttpContext Context,
    [FromServices] IngestPipeline Pipeline,
    [FromQuery(Name = "service")] string? Service)
{
    public bool HasMediaType(string mediaType) =>
        MediaTypeHeaderValue.TryParse(Context.Request.ContentType, out var parsed) &&
        parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase);
}
