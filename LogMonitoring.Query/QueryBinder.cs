using LogMonitoring.Contracts;

namespace LogMonitoring.Query;

/// <summary>
/// Gives the written query its meaning: resolves field names, reads levels, times and numbers, and
/// refuses what cannot mean anything (an unknown level, a comparison on text), naming the column.
/// </summary>
internal sealed class QueryBinder(DateTime now)
{
    private int _terms;

    public QueryError? Error { get; private set; }

    public QueryNode? Bind(Syntax syntax)
    {
        if (Error is not null)
        {
            return null;
        }

        switch (syntax)
        {
            case AndSyntax and:
                return Combine(and.Terms, terms => new AllOf(terms));
            case OrSyntax or:
                return Combine(or.Terms, terms => new AnyOf(terms));
            case NotSyntax not:
                return Bind(not.Term) is { } term ? new Not(term) : null;
            case TextSyntax text:
                if (!Count(text.Column, 1))
                {
                    return null;
                }

                return text.Text.Length == 0 ? Fail(text.Column, "an empty phrase matches nothing; remove it") : new TextMatch(text.Text);
            case FieldSyntax field:
                return BindField(field);
            default:
                throw new InvalidOperationException($"Unknown syntax {syntax.GetType().Name}.");
        }
    }

    private QueryNode? Combine(IReadOnlyList<Syntax> syntaxes, Func<IReadOnlyList<QueryNode>, QueryNode> make)
    {
        var terms = new List<QueryNode>(syntaxes.Count);
        foreach (var syntax in syntaxes)
        {
            if (Bind(syntax) is not { } term)
            {
                return null;
            }

            terms.Add(term);
        }

        return make(terms);
    }

    private bool Count(int column, int terms)
    {
        _terms += terms;
        if (_terms > QueryLimits.MaxTerms)
        {
            Fail(column, $"the query holds more than {QueryLimits.MaxTerms} terms");
            return false;
        }

        return true;
    }

    private QueryNode? BindField(FieldSyntax syntax)
    {
        if (!Count(syntax.Column, syntax.Values.Count))
        {
            return null;
        }

        var segments = syntax.Name.Split('.');
        if (segments.Length > QueryLimits.MaxPathSegments + 1 || !segments.All(FieldRef.IsSegment))
        {
            return Fail(syntax.Column, $"'{Shorten(syntax.Name)}' is not a field name (names are dotted paths of letters, digits, _ and -, each part 1 to 64 characters, at most {QueryLimits.MaxPathSegments} parts)");
        }

        var field = FieldRef.Parse(segments);
        if (field.Field == LogField.Metadata && field.Path.Count > QueryLimits.MaxPathSegments)
        {
            return Fail(syntax.Column, $"'{Shorten(syntax.Name)}' has more than {QueryLimits.MaxPathSegments} parts");
        }

        var first = syntax.Values[0];
        if (syntax.Operator == ":" && syntax.Values.Count == 1 && !first.Quoted && first.Text == "*")
        {
            return new FieldExists(field);
        }

        if (syntax.Operator == ":" && syntax.Values.Count == 1 && !first.Quoted && first.Text.Length > 1 && first.Text.EndsWith('*'))
        {
            return BindPrefix(field, first);
        }

        if (syntax.Operator is ":" or "!=")
        {
            var values = new List<QueryValue>(syntax.Values.Count);
            foreach (var value in syntax.Values)
            {
                if (field.Field == LogField.Message)
                {
                    values.Add(new QueryValue(value.Text));
                }
                else if (BindValue(field, value) is { } bound)
                {
                    values.Add(bound);
                }
                else
                {
                    return null;
                }
            }

            QueryNode equals = field.Field == LogField.Message
                ? values.Count == 1 ? new TextMatch(values[0].Text) : new AnyOf(values.Select(v => (QueryNode)new TextMatch(v.Text)).ToList())
                : new FieldEquals(field, values);
            return syntax.Operator == "!=" ? new Not(equals) : equals;
        }

        if (syntax.Values.Count > 1)
        {
            return Fail(syntax.Values[1].Column, $"{syntax.Operator} takes one value, not a list");
        }

        if (field.Field == LogField.Message)
        {
            return Fail(syntax.Column, "message is searched for text (message:\"timed out\" or just \"timed out\"), not compared");
        }

        var op = syntax.Operator switch
        {
            ">" => CompareOperator.GreaterThan,
            ">=" => CompareOperator.GreaterOrEqual,
            "<" => CompareOperator.LessThan,
            _ => CompareOperator.LessOrEqual,
        };
        return BindValue(field, first) is { } bound2 ? new FieldCompare(field, op, bound2) : null;
    }

    private QueryNode? BindPrefix(FieldRef field, ValueSyntax value)
    {
        var prefix = value.Text[..^1];
        return field.Field switch
        {
            LogField.Level or LogField.Timestamp => Fail(value.Column, $"{field.Name} takes whole values, not a prefix"),
            LogField.Message => new TextMatch(prefix),
            _ when prefix.Contains('*') => Fail(value.Column, "only a trailing * is a wildcard (a prefix such as web-*)"),
            _ => new FieldPrefix(field, prefix),
        };
    }

    private QueryValue? BindValue(FieldRef field, ValueSyntax value)
    {
        switch (field.Field)
        {
            case LogField.Level:
                return LogEventLevels.TryParse(value.Text, out var level)
                    ? new QueryValue(value.Text) { Level = level }
                    : FailValue(value.Column, $"'{Shorten(value.Text)}' is not a level (TRACE, DEBUG, INFO, WARN, ERROR, FATAL)");
            case LogField.Timestamp:
                return TimeParameter.TryParse(value.Text, now, out var time, out var error)
                    ? new QueryValue(value.Text) { Time = time }
                    : FailValue(value.Column, $"timestamp {error}");
            case LogField.Metadata:
                return value.Quoted ? QueryValue.Quoted(value.Text) : QueryValue.Unquoted(value.Text);
            default:
                return new QueryValue(value.Text);
        }
    }

    private QueryNode? Fail(int column, string message)
    {
        Error ??= new QueryError(column, message);
        return null;
    }

    private QueryValue? FailValue(int column, string message)
    {
        Fail(column, message);
        return null;
    }

    internal static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}
