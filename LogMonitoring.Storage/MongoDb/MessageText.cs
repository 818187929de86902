using LogMonitoring.Query;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// The search fields MongoDB keeps beside each message: the folded text (checked with <c>$indexOfCP</c>)
/// and its distinct trigrams (a multikey index that narrows a search to messages holding every trigram
/// of the needle). A message with more distinct trigrams than <see cref="MaxGrams"/> keeps none and is
/// flagged, and text searches always look at the flagged ones too, so no answer depends on the cap.
/// </summary>
public static class MessageText
{
    /// <summary>About 2,000 characters of varied text; typical log messages have a few dozen.</summary>
    public const int MaxGrams = 2048;

    public static string Fold(string message) => TextFolding.Fold(message);

    public static IReadOnlyList<string>? Grams(string message) => Trigrams.Distinct(TextFolding.Fold(message), MaxGrams);

    /// <summary>The folded message and its trigrams (null when there are more than <see cref="MaxGrams"/>), folding it once.</summary>
    public static (string Folded, IReadOnlyList<string>? Grams) Index(string message)
    {
        var folded = TextFolding.Fold(message);
        return (folded, Trigrams.Distinct(folded, MaxGrams));
    }

    /// <summary>True when <see cref="Grams"/> is null; only messages longer than the cap are counted again.</summary>
    public static bool IsLong(string message) => message.Length > MaxGrams + 2 && Grams(message) is null;
}
