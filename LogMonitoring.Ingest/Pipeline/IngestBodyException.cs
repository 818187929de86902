using LogMonitoring.Contracts;

namespace LogMonitoring.Ingest.Pipeline;

/// <summary>
/// Why a whole request was refused before any event was produced: the HTTP status it deserves, a stable
/// code (<see cref="LogEventErrorCodes"/> or <see cref="RequestErrorCodes"/>), the field and a detail.
/// Each format answers it in its clients' error shape.
/// </summary>
public sealed record IngestRefusal(string Code, string Field, string Detail)
{
    public int StatusCode => Code switch
    {
        LogEventErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        RequestErrorCodes.UnsupportedMediaType or RequestErrorCodes.UnsupportedEncoding => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The <c>reason</c> label of <c>logmon_ingest_events_rejected_total</c>.</summary>
    public string MetricReason => Code switch
    {
        LogEventErrorCodes.TooLarge => "too_large",
        RequestErrorCodes.UnsupportedMediaType => "media_type",
        RequestErrorCodes.UnsupportedEncoding or RequestErrorCodes.InvalidEncoding => "encoding",
        _ => "malformed",
    };

    public override string ToString() => $"{Field}: {Detail}";
}

/// <summary>The codes of refusals that concern the HTTP request rather than its events.</summary>
public static class RequestErrorCodes
{
    /// <summary>A Content-Type the endpoint does not take.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>A Content-Encoding ingest does not undo.</summary>
    public const string UnsupportedEncoding = "unsupported_encoding";

    /// <summary>A body that is not valid data of its Content-Encoding.</summary>
    public const string InvalidEncoding = "invalid_encoding";

    /// <summary>A body that is not the format the endpoint speaks (not protobuf, not a label set, no action line).</summary>
    public const string InvalidBody = "invalid_body";
}

/// <summary>
/// A body a format cannot read at all (not the format, or over a whole-request limit). A single bad
/// record is a rejection in the batch instead.
/// </summary>
public sealed class IngestBodyException(string code, string field, string detail) : Exception($"{field}: {detail}")
{
    public IngestRefusal Refusal { get; } = new(code, field, detail);
}
