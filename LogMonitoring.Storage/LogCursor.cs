using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace LogMonitoring.Storage;

/// <summary>
/// Keyset position in a newest-first search: the last item's timestamp and id. Stable while new logs
/// arrive, unlike an offset. Opaque to clients (base64url).
/// </summary>
public sealed record LogCursor(DateTime Timestamp, string Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Timestamp.Ticks.ToString(CultureInfo.InvariantCulture)}|{Id}"));

    public static bool TryDecode(string? text, out LogCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 256)
        {
            return false;
        }

        try
        {
            var raw = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var bar = raw.IndexOf('|');
            if (bar <= 0 || !long.TryParse(raw.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ||
                ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks || bar == raw.Length - 1)
            {
                return false;
            }

            cursor = new LogCursor(new DateTime(ticks, DateTimeKind.Utc), raw[(bar + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
