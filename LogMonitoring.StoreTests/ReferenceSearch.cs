using System.Text.Json;
using LogMonitoring.Contracts;
using LogMonitoring.Query;

namespace LogMonitoring.StoreTests;

/// <summary>
/// The query language's meaning, written the slow and obvious way over events in memory: the brute force
/// every store's answer is compared with.
/// </summary>
public static class ReferenceSearch
{
    public static bool Matches(QueryNode? node, LogEvent e) => node switch
    {
        null => true,
        AllOf all => all.Terms.All(t => Matches(t, e)),
        AnyOf any => any.Terms.Any(t => Matches(t, e)),
        Not not => !Matches(not.Term, e),
        TextMatch text => TextFolding.Fold(e.Message).Contains(text.Folded, StringComparison.Ordinal),
        FieldExists exists => Values(exists.Field, e) is not null,
        FieldEquals equals => Elements(equals.Field, e).Any(v => equals.Values.Any(q => EqualsValue(equals.Field, v, q))),
        FieldCompare compare => Elements(compare.Field, e).Any(v => Compares(compare, v)),
        FieldPrefix prefix => Elements(prefix.Field, e).Any(v => v is string s && s.StartsWith(prefix.Prefix, StringComparison.Ordinal)),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    /// <summary>The field's value: a string, long, double, bool, level, DateTime, a JSON array/object element, or null when absent.</summary>
    private static object? Values(FieldRef field, LogEvent e) => field.Field switch
    {
        LogField.Service => e.Service,
        LogField.Level => e.Level,
        LogField.Host => e.Host,
        LogField.TraceId => e.TraceId,
        LogField.SpanId => e.SpanId,
        LogField.Id => e.Id,
        LogField.Timestamp => e.Timestamp,
        LogField.Message => e.Message,
        _ => Resolve(field.Path, e.MetadataJson),
    };

    private static object? Resolve(IReadOnlyList<string> path, string? json)
    {
        if (json is null)
        {
            return null;
        }

        var element = JsonDocument.Parse(json).RootElement;
        foreach (var segment in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return null;
            }
        }

        return element.Clone();
    }

    /// <summary>The value, or each element of an array; JSON scalars become .NET values, objects stay elements.</summary>
    private static IEnumerable<object?> Elements(FieldRef field, LogEvent e)
    {
        var value = Values(field, e);
        if (value is JsonElement { ValueKind: JsonValueKind.Array } array)
        {
            return array.EnumerateArray().Select(Scalar);
        }

        return value is JsonElement element ? [Scalar(element)] : value is null ? [] : [value];
    }

    private static object? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => element,
    };

    private static bool EqualsValue(FieldRef field, object? value, QueryValue query) => value switch
    {
        LogEventLevel level => level == query.Level,
        DateTime time => time == query.Time,
        string s => s == query.Text,
        long l => query.Integer == l || query.Real == l,
        double d => query.Integer == d || query.Real == d,
        bool b => query.Boolean == b,
        _ => false,
    };

    private static bool Compares(FieldCompare compare, object? value)
    {
        var bound = compare.Bound;
        int? order = value switch
        {
            LogEventLevel level => ((int)level).CompareTo((int)bound.Level!.Value),
            DateTime time => time.CompareTo(bound.Time!.Value),
            string s when !bound.IsNumber || compare.Field.Field != LogField.Metadata => string.CompareOrdinal(s, bound.Text),
            long l when bound.IsNumber => ((double)l).CompareTo(bound.Integer ?? bound.Real!.Value),
            double d when bound.IsNumber => d.CompareTo(bound.Integer ?? bound.Real!.Value),
            _ => null,
        };
        return order is { } o && compare.Operator switch
        {
            CompareOperator.GreaterThan => o > 0,
            CompareOperator.GreaterOrEqual => o >= 0,
            CompareOperator.LessThan => o < 0,
            _ => o <= 0,
        };
    }
}
