namespace LogMonitoring.Query;

/// <summary>The bounds every query stays within, so neither the parser nor a store can be made to work without end.</summary>
public static class QueryLimits
{
    public const int MaxLength = 4096;

    /// <summary>Parentheses nested deeper than this are refused before parsing (the parser recurses on them).</summary>
    public const int MaxDepth = 32;

    /// <summary>Words, phrases, field terms and list values together.</summary>
    public const int MaxTerms = 128;

    public const int MaxPathSegments = 8;
}
