using System.Text;

namespace LogMonitoring.LoadGen.Kafka;

/// <summary>
/// Gives pre-serialized events unique source ids cheaply: each template carries a fixed-width
/// placeholder id, and <see cref="Stamp"/> writes the next sequence number into a copy of it.
/// Ids start with a random run prefix, so two runs into one store do not collide.
/// </summary>
public sealed class UniqueSourceIds
{
    private const int Digits = 16;
    private readonly string _prefix = "bench-" + Random.Shared.Next(0x100000, 0xFFFFFF).ToString("x6", System.Globalization.CultureInfo.InvariantCulture) + "-";
    private long _next;

    public string Placeholder => _prefix + new string('0', Digits);

    /// <summary>Where the digits of the placeholder sit in <paramref name="json"/>.</summary>
    public int OffsetIn(byte[] json)
    {
        var at = json.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Placeholder));
        return at < 0 ? throw new InvalidOperationException("The template does not hold the placeholder id.") : at + _prefix.Length;
    }

    /// <summary>A copy of <paramref name="template"/> with the next id in the placeholder's place.</summary>
    public byte[] Stamp(byte[] template, int digitsOffset)
    {
        var copy = (byte[])template.Clone();
        var value = Interlocked.Increment(ref _next);
        for (var i = digitsOffset + Digits - 1; i >= digitsOffset; i--)
        {
            copy[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return copy;
    }
}
