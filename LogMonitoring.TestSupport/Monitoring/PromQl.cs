using System.Text.RegularExpressions;

namespace LogMonitoring.TestSupport.Monitoring;

/// <summary>
/// Finds the metric (series) names a PromQL expression reads. Not a parser: it removes what cannot be
/// a metric name (strings, label matchers, ranges, grouping label lists, function calls, keywords,
/// numbers and Grafana variables) and keeps the identifiers left. promtool checks the syntax itself.
/// </summary>
public static partial class PromQl
{
    private static readonly HashSet<string> s_keywords =
    [
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
        "offset", "bool", "inf", "nan", "atan2",
    ];

    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var text = StringLiteral().Replace(expression, "\"\"");
        text = LabelMatchers().Replace(text, "");
        text = RangeOrSubquery().Replace(text, "");
        text = GroupingLabels().Replace(text, "");

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifier().Matches(text))
        {
            var rest = text.AsSpan(match.Index + match.Length).TrimStart();
            var isCall = rest.Length > 0 && rest[0] == '(';
            if (!isCall && !s_keywords.Contains(match.Value))
            {
                names.Add(match.Value);
            }
        }

        return names;
    }

    /// <summary>The metric a Grafana <c>label_values(metric, label)</c> variable query reads, if any.</summary>
    public static string? LabelValuesMetric(string variableQuery)
    {
        var match = LabelValues().Match(variableQuery);
        return match.Success ? match.Groups["metric"].Value : null;
    }

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`
        """)]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex GroupingLabels();

    // Not preceded by a word character, '$' (a Grafana variable) or '.' (a number's fraction), so
    // "5m", "1e3" and "$__range" yield nothing.
    [GeneratedRegex(@"(?<![\w:$.])[A-Za-z_:][\w:]*(?![\w:])")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*label_values\(\s*(?<metric>[A-Za-z_:][\w:]*)\s*,")]
    private static partial Regex LabelValues();
}
