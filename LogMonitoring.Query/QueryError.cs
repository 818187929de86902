namespace LogMonitoring.Query;

/// <summary>What is wrong with a query, and where: the 1-based column of the offending character.</summary>
public sealed record QueryError(int Column, string Message)
{
    public override string ToString() => $"column {Column}: {Message}";
}

/// <summary>A parsed query (null when the text was empty: everything matches), or why it could not be parsed.</summary>
public sealed record QueryParseResult(QueryNode? Query, QueryError? Error)
{
    public bool Success => Error is null;
}
