using System.Buffers;
using System.Text;

namespace LogMonitoring.Query;

/// <summary>
/// The three-character pieces of folded text, by Unicode scalar (a character outside the BMP counts as
/// one). A text index stores a message's trigrams; a search for a needle of three or more characters
/// only has to look at messages holding every trigram of the needle.
/// </summary>
public static class Trigrams
{
    public const int Length = 3;

    /// <summary>The distinct trigrams of <paramref name="folded"/>, at most <paramref name="max"/>; null when it has more.</summary>
    public static IReadOnlyList<string>? Distinct(string folded, int max)
    {
        if (!folded.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return DistinctWithoutSurrogates(folded, max);
        }

        var runes = Runes(folded);
        var grams = new HashSet<string>(StringComparer.Ordinal);
        var builder = new StringBuilder(8);
        for (var i = 0; i + Length <= runes.Count; i++)
        {
            builder.Clear();
            for (var j = i; j < i + Length; j++)
            {
                builder.Append(runes[j]);
            }

            if (grams.Add(builder.ToString()) && grams.Count > max)
            {
                return null;
            }
        }

        return grams.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The same answer for text without surrogates (nearly every message), where each trigram is three UTF-16
    /// characters: packed into a number whose order is the strings' ordinal order, they are sorted and made
    /// unique as numbers, and only the distinct ones become strings.
    /// </summary>
    private static List<string>? DistinctWithoutSurrogates(string folded, int max)
    {
        var count = folded.Length - Length + 1;
        if (count <= 0)
        {
            return [];
        }

        var rented = ArrayPool<ulong>.Shared.Rent(count);
        try
        {
            var keys = rented.AsSpan(0, count);
            for (var i = 0; i < count; i++)
            {
                keys[i] = ((ulong)folded[i] << 32) | ((ulong)folded[i + 1] << 16) | folded[i + 2];
            }

            keys.Sort();
            var distinct = 0;
            for (var i = 0; i < count; i++)
            {
                if (distinct == 0 || keys[i] != keys[distinct - 1])
                {
                    keys[distinct++] = keys[i];
                }
            }

            if (distinct > max)
            {
                return null;
            }

            var grams = new List<string>(distinct);
            foreach (var key in keys[..distinct])
            {
                grams.Add(string.Create(Length, key, static (chars, k) =>
                {
                    chars[0] = (char)(k >> 32);
                    chars[1] = (char)(k >> 16);
                    chars[2] = (char)k;
                }));
            }

            return grams;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    /// <summary>How many Unicode scalars the text holds (a needle shorter than <see cref="Length"/> cannot use a trigram index).</summary>
    public static int ScalarCount(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static List<string> Runes(string text)
    {
        var runes = new List<string>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            runes.Add(rune.ToString());
        }

        return runes;
    }
}
