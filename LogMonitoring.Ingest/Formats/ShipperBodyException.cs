namespace LogMonitoring.Ingest.Formats;

/// <summary>
/// A body a format parser cannot read at all (not the format, or over a whole-request limit). Each
/// shipper endpoint answers it in its clients' error shape; a single bad record is a rejection instead.
/// </summary>
public sealed class ShipperBodyException(string field, string detail, bool tooLarge = false)
    : Exception($"{field}: {detail}")
{
    public string Field { get; } = field;

    public string Detail { get; } = detail;

    /// <summary>True when a size limit was crossed (413); otherwise the body is malformed (400).</summary>
    public bool TooLarge { get; } = tooLarge;

    public int StatusCode => TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
}
