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
