using System.ComponentModel;
using LogMonitoring.Simulator.Traffic;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogMonitoring.Simulator.Apis;

public sealed record StartIncidentRequest(
    [property: Description("api-service, auth-service or payment-service.")] string Service,
    [property: Description("Share of the service's lines that fail, 0 to 1 (default 0.5).")] double? ErrorRate,
    [property: Description("How long the incident lasts, in seconds (default 300).")] int? DurationSeconds);

/// <summary>Starts and ends incidents, so the error-rate alert can be watched firing and resolving.</summary>
public static class IncidentsApi
{
    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/incidents").WithTags("Incidents");
        api.MapGet("/", GetCurrent).WithName("GetIncident").WithSummary("The incident in progress, if any");
        api.MapPost("/", Start).WithName("StartIncident").WithSummary("Raise one service's error rate for a while");
        api.MapDelete("/", End).WithName("EndIncident").WithSummary("End the incident in progress");
        return app;
    }

    public static Results<Ok<Incident>, NoContent> GetCurrent(IncidentSwitch incidents) =>
        incidents.Current is { } incident ? TypedResults.Ok(incident) : TypedResults.NoContent();

    public static Results<Ok<Incident>, ValidationProblem> Start(StartIncidentRequest request, IncidentSwitch incidents, IEnumerable<Patterns.SimulatedService> services)
    {
        var errors = new Dictionary<string, string[]>();
        if (!services.Any(s => string.Equals(s.Name, request.Service, StringComparison.OrdinalIgnoreCase)))
        {
            errors["service"] = [$"must be one of {string.Join(", ", services.Select(s => s.Name))}"];
        }

        if (request.ErrorRate is < 0 or > 1)
        {
            errors["errorRate"] = ["must be between 0 and 1"];
        }

        if (request.DurationSeconds is < 1 or > 86_400)
        {
            errors["durationSeconds"] = ["must be between 1 and 86400"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid incident");
        }

        return TypedResults.Ok(incidents.Start(request.Service, request.ErrorRate ?? 0.5, TimeSpan.FromSeconds(request.DurationSeconds ?? 300)));
    }

    public static NoContent End(IncidentSwitch incidents)
    {
        incidents.End();
        return TypedResults.NoContent();
    }
}
