using System.ComponentModel;
using LogMonitoring.Query;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LogMonitoring.Stats.Apis;

public sealed record TopValue(object Value, long Count);

public sealed record TopResponse(string Field, DateTime Start, DateTime End, IReadOnlyList<TopValue> Values);

/// <summary><c>GET /api/logs/top</c>: count by any field, top N values, for any query.</summary>
public static class LogTop
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    public static async Task<Results<Ok<TopResponse>, ValidationProblem>> GetAsync(
        [AsParameters] LogFilterParameters filter,
        [Description("The field to count by: service, level, host, trace_id, span_id, or a metadata path such as http.route.")] string? field,
        [Description("How many values, 1 to 100 (default 10).")] string? limit,
        [AsParameters] SearchServices services,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = AggregationRange.ReadQuery(filter, services, errors);
        FieldRef? countBy = null;
        if (string.IsNullOrWhiteSpace(field))
        {
            errors["field"] = ["is required: service, level, host, trace_id, span_id or a metadata path"];
        }
        else
        {
            var segments = field.Split('.');
            if (segments.Length > QueryLimits.MaxPathSegments + 1 || !segments.All(FieldRef.IsSegment))
            {
                errors["field"] = ["must be a field name: a dotted path of letters, digits, _ and -"];
            }
            else if (FieldRef.Parse(segments) is { Field: LogField.Timestamp or LogField.Message or LogField.Id })
            {
                errors["field"] = ["timestamp, message and id have (almost) one log per value; count by another field"];
            }
            else
            {
                countBy = FieldRef.Parse(segments);
            }
        }

        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, out size) || size is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid top parameters");
        }

        var values = await services.Search.TopAsync(query!, countBy!, size, cancellationToken);
        return TypedResults.Ok(new TopResponse(countBy!.Name, query!.Start!.Value, query.End!.Value, values.Select(v => new TopValue(v.Value, v.Count)).ToList()));
    }
}
