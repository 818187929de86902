using static LogMonitoring.Contracts.LogEventErrorCodes;

namespace LogMonitoring.Contracts;

/// <summary>
/// The values an event may hold: whatever any entry point accepts (<c>POST /api/logs</c>, every shipper
/// format, a message produced straight to the logs topic), every store holds and gives back unchanged.
/// <list type="bullet">
/// <item>Timestamps (<c>timestamp</c>, <c>received_at</c>) lie in [<see cref="MinTimestamp"/>, <see cref="MaxTimestamp"/>):
/// far enough from the ends of <see cref="DateTime"/> that a store can add retention to them.</item>
/// <item>Every key appears once in its object, at the top level and at every depth of <c>metadata</c>.
/// JSON leaves a repeated key undefined (RFC 8259 §4), and keeping either copy would drop the other silently,
/// so an event that repeats one is refused (<see cref="LogEventErrorCodes.Duplicate"/>, naming the path).</item>
/// <item>Numbers in <c>metadata</c> may have any size and precision (an unsigned 64-bit counter, a 40-digit
/// decimal); each store keeps the value exactly (see docs/architecture.md for the representation per store).</item>
/// <item>Strings and keys are valid UTF-16 (no unpaired surrogate escape), keys are not empty, do not start
/// with <c>$</c> and hold no U+0000; the sizes and depths are <see cref="LogLimits"/>.</item>
/// </list>
/// </summary>
public static class LogValueDomain
{
    /// <summary>The earliest timestamp an event may carry: the Unix epoch, before which no shipper can express a time.</summary>
    public static readonly DateTime MinTimestamp = DateTime.UnixEpoch;

    /// <summary>The first timestamp past the domain. Any retention (at most ten years) still fits after it.</summary>
    public static readonly DateTime MaxTimestamp = new(9000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static bool Contains(DateTime utc) => utc >= MinTimestamp && utc < MaxTimestamp;

    /// <summary>Refuses a timestamp outside the domain, naming the field and the bounds.</summary>
    public static void CheckTimestamp(DateTime utc, string field, List<LogEventError> errors)
    {
        if (!Contains(utc))
        {
            errors.Add(new(OutOfRange, field, $"must lie from {MinTimestamp:yyyy-MM-dd} up to {MaxTimestamp:yyyy-MM-dd} (UTC)"));
        }
    }
}
