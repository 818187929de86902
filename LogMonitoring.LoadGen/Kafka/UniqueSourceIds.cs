using System.Text;

namespace LogMonitoring.LoadGen.Kafka;

/// <summary>
/// Gives pre-serialized events unique source ids cheaply, of the kind ingest assigns: UUIDv7, whose first
/// 48 bits are the millisecond the id was made, so the store keys derived from them arrive in time order as
/// they do behind ingest. Each template carries a placeholder id, and <see cref="Stamp"/> writes the current
/// millisecond and the next sequence number into a copy of it. A random run number keeps two runs apart.
/// </summary>
public sealed class UniqueSourceIds
{
    // xxxxxxxx-xxxx-7RRR-8SSS-SSSSSSSSSSSS: time, version 7, run number, variant, sequence.
    private static readonly int[] s_timeDigits = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12];
    private static readonly int[] s_sequenceDigits = [20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
    private readonly string _placeholder = $"00000000-0000-7{Random.Shared.Next(0x100, 0xFFF):x3}-8000-000000000000";
    private long _next;

    public string Placeholder => _placeholder;

    /// <summary>Where the placeholder sits in <paramref name="json"/>.</summary>
    public int OffsetIn(byte[] json)
    {
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Placeholder));
        return at < 0 ? throw new InvalidOperationException("The template does not hold the placeholder id.") : at;
    }

    /// <summary>A copy of <paramref name="template"/> whose id is stamped with this millisecond and the next sequence number.</summary>
    public byte[] Stamp(byte[] template, int idOffset)
    {
        var copy = (byte[])template.Clone();
        WriteHex(copy, idOffset, s_timeDigits, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        WriteHex(copy, idOffset, s_sequenceDigits, Interlocked.Increment(ref _next));
        return copy;
    }

    private static void WriteHex(byte[] target, int idOffset, int[] digits, long value)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            target[idOffset + digits[i]] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }
}
