using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LogMonitoring.Query;

namespace LogMonitoring.Tests.Query;

/// <summary>
/// The trigrams of a text, however they are computed, are its three-scalar windows: distinct, in ordinal
/// order, and none at all past the cap. Checked against the plain definition, with text that mixes ASCII,
/// other BMP characters and characters outside the BMP (surrogate pairs in UTF-16).
/// </summary>
public sealed class TrigramProperties
{
    [Property(MaxTest = 2000)]
    public void The_trigrams_are_the_distinct_three_scalar_windows_in_ordinal_order(PositiveInt seed, bool beyondTheBmp)
    {
        var text = Text(seed.Get, beyondTheBmp);

        Assert.Equal(Definition(text), Trigrams.Distinct(text, int.MaxValue));
    }

    [Property(MaxTest = 500)]
    public void Past_the_cap_there_are_none(PositiveInt seed, bool beyondTheBmp)
    {
        var text = Text(seed.Get, beyondTheBmp);
        var all = Definition(text);

        Assert.Null(all.Count == 0 ? null : Trigrams.Distinct(text, all.Count - 1));
        Assert.Equal(all, Trigrams.Distinct(text, all.Count));
    }

    [Fact]
    public void A_character_above_every_ASCII_one_sorts_after_it_as_in_ordinal_order()
    {
        Assert.Equal(
            ["aab", "ab\uffff", "a\uffffb", "b\uffffa", "\uffffaa", "\uffffa\uffff", "\uffffb\uffff"],
            Trigrams.Distinct("\uffffaab\uffffa\uffffb\uffff", 100));
    }

    private static List<string> Definition(string text)
    {
        var runes = text.EnumerateRunes().Select(r => r.ToString()).ToList();
        return Enumerable.Range(0, Math.Max(0, runes.Count - 2))
            .Select(i => runes[i] + runes[i + 1] + runes[i + 2])
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    // Few distinct characters, so windows repeat; the high ones sort above every ASCII character.
    private static string Text(int seed, bool beyondTheBmp)
    {
        var random = new Random(seed);
        string[] alphabet = beyondTheBmp ? ["a", "b", "é", "\uffff", "日", "😀", "𝄞"] : ["a", "b", " ", "é", "\uffff", "日"];
        var text = new StringBuilder();
        for (var i = random.Next(0, 40); i > 0; i--)
        {
            text.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return text.ToString();
    }
}
