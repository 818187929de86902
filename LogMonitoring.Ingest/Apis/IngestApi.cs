using LogMonitoring.Ingest.Pipeline;
using LogMonitoring.ServiceDefaults.Security;

namespace LogMonitoring.Ingest.Apis;

/// <summary>
/// Every ingest endpoint: those of each registered <see cref="IIngestFormat"/>, behind the same credentials
/// (X-Api-Key, or what each shipper sends, with the <c>logs:write</c> scope) and the ingest rate limits.
/// </summary>
public static class IngestApi
{
    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        var ingest = app.MapGroup("")
            .DisableAntiforgery()
            .RequireAuthorization(Scopes.WriteLogs)
            .RequireIngestRateLimits();
        foreach (var format in app.ServiceProvider.GetServices<IIngestFormat>())
        {
            format.MapEndpoints(ingest);
        }

        return app;
    }
}
