namespace LogMonitoring.Query;

/// <summary>
/// One parsed query: a tree of these nodes, built by <see cref="QueryParser"/> and compiled by each
/// store into its own filter language. Every leaf names a field and carries typed values, so a store
/// never sees the query text.
/// </summary>
public abstract record QueryNode;

/// <summary>Every term matches (AND, or terms written side by side).</summary>
public sealed record AllOf(IReadOnlyList<QueryNode> Terms) : QueryNode;

/// <summary>At least one term matches (OR).</summary>
public sealed record AnyOf(IReadOnlyList<QueryNode> Terms) : QueryNode;

/// <summary>The term does not match (NOT, or a leading <c>-</c>). A missing field does not match, so its negation does.</summary>
public sealed record Not(QueryNode Term) : QueryNode;

/// <summary>
/// The message contains this text, ignoring case (<see cref="TextFolding"/>): a word or an "exact phrase".
/// </summary>
public sealed record TextMatch(string Text) : QueryNode
{
    /// <summary>The text as stores compare it: case-folded.</summary>
    public string Folded { get; } = TextFolding.Fold(Text);
}

/// <summary>The field equals one of the values (<c>level:ERROR,FATAL</c>); for an array, one of its elements does.</summary>
public sealed record FieldEquals(FieldRef Field, IReadOnlyList<QueryValue> Values) : QueryNode;

/// <summary>The field compares to the bound: <c>duration_ms&gt;500</c>, <c>timestamp&gt;=now-1h</c>.</summary>
public sealed record FieldCompare(FieldRef Field, CompareOperator Operator, QueryValue Bound) : QueryNode;

/// <summary>The field is a string starting with the prefix (<c>host:web-*</c>).</summary>
public sealed record FieldPrefix(FieldRef Field, string Prefix) : QueryNode;

/// <summary>The field is present (<c>trace_id:*</c>), whatever its value, null included.</summary>
public sealed record FieldExists(FieldRef Field) : QueryNode;

public enum CompareOperator
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
}
