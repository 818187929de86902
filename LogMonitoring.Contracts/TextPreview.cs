namespace LogMonitoring.Contracts;

/// <summary>
/// A sender's value quoted in an error message: short enough that a hostile value cannot flood the
/// answer or the logs, long enough to recognise.
/// </summary>
public static class TextPreview
{
    public const int DefaultLength = 40;

    /// <summary>The first <paramref name="maxLength"/> characters, then '…' when there were more; "" for null.</summary>
    public static string Of(string? text, int maxLength = DefaultLength) =>
        text is null ? "" : text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), "…");
}
