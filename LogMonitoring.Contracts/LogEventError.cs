using System.Text.Json.Serialization;

namespace LogMonitoring.Contracts;

/// <summary>
/// One thing wrong with an event or a request body: a stable <see cref="Code"/> for programs, the
/// <see cref="Field"/> it concerns (a JSON path such as <c>metadata.user.$id</c>, <c>event</c> for the
/// whole event, <c>body</c> for the whole request) and a <see cref="Message"/> for people, which names
/// the limit where one was crossed.
/// </summary>
public sealed record LogEventError(string Code, string Field, string Message)
{
    /// <summary>True when a size limit was crossed (a length, a key count or a byte size).</summary>
    [JsonIgnore]
    public bool IsOverSizeLimit => Code is LogEventErrorCodes.TooLong or LogEventErrorCodes.TooManyKeys or LogEventErrorCodes.TooLarge;

    /// <summary>The form senders have always read: <c>"field: message"</c>.</summary>
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>The codes of <see cref="LogEventError"/>. They are part of the API: add codes, never change one.</summary>
public static class LogEventErrorCodes
{
    /// <summary>A required field is missing.</summary>
    public const string Required = "required";

    /// <summary>A field appears more than once in the event.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A value has the wrong JSON type (a number where a string belongs, an array for an object).</summary>
    public const string WrongType = "wrong_type";

    /// <summary>A string or a batch is empty.</summary>
    public const string Empty = "empty";

    /// <summary>A string is longer than its limit.</summary>
    public const string TooLong = "too_long";

    /// <summary>Metadata holds more keys than its limit.</summary>
    public const string TooManyKeys = "too_many_keys";

    /// <summary>An event, its metadata or a batch is larger than its limit.</summary>
    public const string TooLarge = "too_large";

    /// <summary>Metadata nests deeper than its limit.</summary>
    public const string TooDeep = "too_deep";

    /// <summary>A string holds a control character, a service name a character outside its set.</summary>
    public const string InvalidCharacter = "invalid_character";

    /// <summary>A metadata key is empty, starts with '$' or holds U+0000.</summary>
    public const string InvalidKey = "invalid_key";

    /// <summary>The text is not valid UTF-8 or UTF-16 (an unpaired surrogate escape).</summary>
    public const string InvalidText = "invalid_text";

    /// <summary>The body, a line or a message is not valid JSON.</summary>
    public const string NotJson = "not_json";

    /// <summary>A timestamp is not an ISO 8601 date-time.</summary>
    public const string InvalidTimestamp = "invalid_timestamp";

    /// <summary>A timestamp lies further in the future or the past than the limits allow.</summary>
    public const string OutOfWindow = "out_of_window";

    /// <summary>A timestamp lies outside the value domain (<see cref="LogValueDomain"/>), whatever the window.</summary>
    public const string OutOfRange = "out_of_range";

    /// <summary>A level is not one of the levels or their aliases.</summary>
    public const string UnknownLevel = "unknown_level";

    /// <summary>A trace or span id is not hexadecimal of the W3C length.</summary>
    public const string InvalidId = "invalid_id";

    /// <summary>A shipper asked for something a log store does not do (an Elasticsearch update or delete).</summary>
    public const string Unsupported = "unsupported";
}
