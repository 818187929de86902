namespace LogMonitoring.Ingest.Pipeline;

/// <summary>
/// One wire format ingest speaks (<c>POST /api/logs</c> is one of them). Each is registered in DI; the
/// ingest API maps the endpoints of every registered format, and every format ingests through the one
/// <see cref="IngestPipeline"/>.
/// </summary>
public interface IIngestFormat
{
    /// <summary>The format's name: the <c>format</c> label of the ingest metrics, and in logs.</summary>
    string Name { get; }

    /// <summary>Maps the format's endpoints into a group that already requires <c>logs:write</c> and the ingest rate limits.</summary>
    void MapEndpoints(IEndpointRouteBuilder routes);
}
