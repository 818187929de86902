using System.Text;
using System.Text.RegularExpressions;

namespace LogMonitoring.Explorer.Search;

/// <summary>
/// Adds <c>field:value</c> (or its negation) to a query, written so the query language reads it back as
/// exactly that value: quoted and escaped unless it is a plain token.
/// </summary>
public static partial class QueryClauses
{
    /// <summary>The query language's field names (<c>name := [A-Za-z_][A-Za-z0-9_.-]*</c>).</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$")]
    private static partial Regex FieldName();

    /// <summary>Values safe without quotes: no space, parenthesis, comma, quote, colon or trailing '*' (a prefix).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-/@+]*$")]
    private static partial Regex PlainValue();

    private static readonly HashSet<string> s_operators = ["AND", "OR", "NOT"];

    /// <summary>Names that mean a log field, not metadata, when they start a path.</summary>
    private static readonly HashSet<string> s_logFields = ["service", "level", "host", "trace_id", "span_id", "id", "timestamp", "message", "metadata"];

    /// <summary>
    /// The query's name for a metadata value at these keys (<c>user_id</c>, <c>http.status</c>), prefixed
    /// with <c>metadata.</c> when it would otherwise name a log field; null when a key holds characters a
    /// path segment cannot (1 to 64 letters, digits, <c>_</c>, <c>-</c>).
    /// </summary>
    public static string? MetadataField(IReadOnlyList<string> keys)
    {
        if (keys.Count == 0 || !keys.All(k => k.Length is > 0 and <= 64 && k.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            return null;
        }

        var path = string.Join('.', keys);
        return s_logFields.Contains(keys[0]) || !CanName(path) ? "metadata." + path : path;
    }

    /// <summary>Whether a clause can be written for this field (metadata keys may hold characters the language cannot name).</summary>
    public static bool CanName(string field) => FieldName().IsMatch(field);

    /// <summary>
    /// The clause for one value. <paramref name="number"/> keeps a JSON number bare, so it matches as a
    /// number; any other text that is not a plain token is a quoted phrase (which matches text only).
    /// </summary>
    public static string Clause(string field, string value, bool negate = false, bool number = false)
    {
        if (!CanName(field))
        {
            throw new ArgumentException($"'{field}' is not a field name of the query language.", nameof(field));
        }

        var written = number || (PlainValue().IsMatch(value) && !s_operators.Contains(value)) ? value : Quote(value);
        return (negate ? "NOT " : "") + field + ":" + written;
    }

    /// <summary>The query with the clause ANDed on; a query holding OR is parenthesized first, so the clause applies to all of it.</summary>
    public static string And(string query, string clause)
    {
        var trimmed = query.Trim();
        if (trimmed.Length == 0)
        {
            return clause;
        }

        var grouped = Regex.IsMatch(trimmed, @"\bOR\b") ? $"({trimmed})" : trimmed;
        return $"{grouped} AND {clause}";
    }

    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }
}
