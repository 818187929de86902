using Superpower.Model;

namespace LogMonitoring.Query;

/// <summary>
/// Reads the query language (docs/api.md): <c>service:api-service AND user_id:u1</c>,
/// <c>"timed out" AND NOT level:INFO</c>, <c>duration_ms&gt;500</c>,
/// <c>level:ERROR,FATAL AND (host:web-1 OR host:web-2)</c>. Never throws on any input: a query that
/// cannot be read comes back with an error naming the column and what was expected there.
/// </summary>
public static class QueryParser
{
    /// <param name="now">What relative times (<c>timestamp&gt;=now-1h</c>) count from.</param>
    public static QueryParseResult Parse(string? text, DateTime now)
    {
        text ??= "";
        if (text.Length > QueryLimits.MaxLength)
        {
            return Failed(QueryLimits.MaxLength + 1, $"the query is {text.Length} characters long, over the limit of {QueryLimits.MaxLength}");
        }

        if (text.IndexOfAny(['\0', '\u001b']) is var control and >= 0 || (control = FirstControl(text)) >= 0)
        {
            return Failed(control + 1, $"control character U+{(int)text[control]:X4} is not allowed");
        }

        if (TooDeep(text) is { } deep)
        {
            return Failed(deep, $"parentheses nest deeper than {QueryLimits.MaxDepth}");
        }

        var syntax = QuerySyntax.Query(new TextSpan(text));
        if (!syntax.HasValue)
        {
            return Failed(syntax.ErrorPosition.HasValue ? syntax.ErrorPosition.Column : text.Length + 1, Describe(syntax));
        }

        if (syntax.Value is null)
        {
            return new QueryParseResult(null, null);
        }

        var binder = new QueryBinder(now);
        var query = binder.Bind(syntax.Value);
        return binder.Error is { } error ? new QueryParseResult(null, error) : new QueryParseResult(Simplify(query!), null);
    }

    /// <summary>Parses a query known to be valid (tests, benchmarks, configuration); throws otherwise.</summary>
    public static QueryNode? ParseValid(string text, DateTime now)
    {
        var result = Parse(text, now);
        return result.Success ? result.Query : throw new FormatException($"'{text}': {result.Error}");
    }

    private static QueryParseResult Failed(int column, string message) => new(null, new QueryError(column, message));

    private static string Describe(Superpower.Model.Result<Syntax?> result)
    {
        // Superpower's fragment reads "unexpected `)`, expected ..."; at the end of input it says "unexpected end of input".
        var fragment = result.FormatErrorMessageFragment();
        return string.IsNullOrEmpty(fragment) ? "the query cannot be read here" : fragment;
    }

    private static int FirstControl(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) && text[i] is not ('\t' or '\n' or '\r'))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The column of the first parenthesis too deep, outside phrases; null when the nesting is within bounds.</summary>
    private static int? TooDeep(string text)
    {
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '(' when !quoted:
                    if (++depth > QueryLimits.MaxDepth)
                    {
                        return i + 1;
                    }

                    break;
                case ')' when !quoted:
                    depth--;
                    break;
            }
        }

        return null;
    }

    /// <summary>Flattens nested ANDs and ORs and removes double negations, so stores see the smallest tree.</summary>
    internal static QueryNode Simplify(QueryNode node) => node switch
    {
        AllOf all => Flatten(all.Terms.Select(Simplify), t => t is AllOf a ? a.Terms : null, terms => new AllOf(terms)),
        AnyOf any => Flatten(any.Terms.Select(Simplify), t => t is AnyOf a ? a.Terms : null, terms => new AnyOf(terms)),
        Not { Term: Not inner } => Simplify(inner.Term),
        Not not => new Not(Simplify(not.Term)),
        _ => node,
    };

    private static QueryNode Flatten(IEnumerable<QueryNode> terms, Func<QueryNode, IReadOnlyList<QueryNode>?> same, Func<IReadOnlyList<QueryNode>, QueryNode> make)
    {
        var flat = new List<QueryNode>();
        foreach (var term in terms)
        {
            if (same(term) is { } nested)
            {
                flat.AddRange(nested);
            }
            else
            {
                flat.Add(term);
            }
        }

        return flat.Count == 1 ? flat[0] : make(flat);
    }
}
