using System.Text;

namespace LogMonitoring.Storage.Search;

/// <summary>
/// A prefix as a range of strings, so both stores find it with an index seek and no pattern:
/// every string starting with <c>p</c> is &gt;= p and &lt; the upper bound, in code point order
/// (the order of SQLite's BINARY collation over UTF-8 and of MongoDB's string comparison).
/// </summary>
public static class PrefixRange
{
    /// <summary>The smallest string above every string that starts with <paramref name="prefix"/>; null when there is none.</summary>
    public static string? UpperBound(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            var next = last + 1;
            if (next is >= 0xD800 and <= 0xDFFF)
            {
                next = 0xE000;
            }

            if (next <= 0x10FFFF)
            {
                var builder = new StringBuilder();
                foreach (var rune in runes)
                {
                    builder.Append(rune.ToString());
                }

                return builder.Append(new Rune(next).ToString()).ToString();
            }
        }

        return null;
    }
}
