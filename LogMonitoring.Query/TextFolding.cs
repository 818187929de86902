namespace LogMonitoring.Query;

/// <summary>
/// How text search ignores case, beyond ASCII: each character is upper-cased then lower-cased with the
/// invariant culture's simple case mapping, so Σ, σ and ς all read σ, and K (Kelvin), K and k read k.
/// Every store compares folded needles with text folded by this same function, computed here in .NET,
/// which is why both stores give the same answers. No Unicode normalization, no accent folding.
/// </summary>
public static class TextFolding
{
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToUpperInvariant().ToLowerInvariant();
    }
}
