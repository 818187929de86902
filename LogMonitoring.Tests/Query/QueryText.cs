using LogMonitoring.Query;

namespace LogMonitoring.Tests.Query;

/// <summary>Writes query trees back as query text, so tests can generate queries and compare trees.</summary>
public static class QueryText
{
    public static string Phrase(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A compact, unambiguous rendering of a tree, for assertions.</summary>
    public static string Show(QueryNode? node) => node switch
    {
        null => "ALL",
        AllOf all => "(" + string.Join(" AND ", all.Terms.Select(Show)) + ")",
        AnyOf any => "(" + string.Join(" OR ", any.Terms.Select(Show)) + ")",
        Not not => "NOT " + Show(not.Term),
        TextMatch text => $"text[{text.Text}]",
        FieldEquals equals => $"{equals.Field}={string.Join("|", equals.Values.Select(Value))}",
        FieldCompare compare => $"{compare.Field}{Operator(compare.Operator)}{Value(compare.Bound)}",
        FieldPrefix prefix => $"{prefix.Field}^{prefix.Prefix}",
        FieldExists exists => $"{exists.Field}?",
        _ => node.ToString()!,
    };

    private static string Value(QueryValue value) =>
        value.Level is { } level ? level.ToString().ToUpperInvariant()
        : value.Time is { } time ? time.ToString("O")
        : value.Integer is not null ? $"#{value.Integer}"
        : value.Real is not null ? $"#{value.Real}"
        : value.Boolean is not null ? $"?{value.Boolean}"
        : value.Text;

    private static string Operator(CompareOperator op) => op switch
    {
        CompareOperator.GreaterThan => ">",
        CompareOperator.GreaterOrEqual => ">=",
        CompareOperator.LessThan => "<",
        _ => "<=",
    };
}
