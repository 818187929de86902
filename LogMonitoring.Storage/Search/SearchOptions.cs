using System.ComponentModel.DataAnnotations;
using LogMonitoring.Query;

namespace LogMonitoring.Storage.Search;

/// <summary>
/// Search settings (configuration section <c>Search</c>), read by every service that opens the store:
/// the persister creates the indexes, stats uses them.
/// </summary>
public sealed class SearchOptions
{
    public const string SectionName = "Search";

    /// <summary>
    /// Metadata fields to index for fast lookups, as written in queries (<c>user_id</c>, <c>http.status</c>).
    /// Each costs index space and write time; give it to fields people look up one value of. An indexed
    /// field should hold single values: SQLite's index compares it as a scalar.
    /// </summary>
    public List<string> IndexedFields { get; set; } = [];

    /// <summary>The longest a search, count, histogram or top query may run; past it the API answers 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The widest time range a histogram or top query may cover.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan MaxAggregationRange { get; set; } = TimeSpan.FromDays(31);

    /// <summary>How many live tails one API key may hold open at once.</summary>
    [Range(1, 1000)]
    public int MaxTailsPerKey { get; set; } = 5;

    /// <summary>How often a live tail looks for new logs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan TailPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Throws when a configured field is not a field path the query language can name.</summary>
    public void Validate()
    {
        foreach (var name in IndexedFields)
        {
            var segments = name.Split('.');
            if (segments.Length > QueryLimits.MaxPathSegments || !segments.All(FieldRef.IsSegment) ||
                FieldRef.Parse(segments).Field != LogField.Metadata)
            {
                throw new ValidationException(
                    $"Search:IndexedFields: '{name}' is not a metadata field path (dotted parts of letters, digits, _ and -, at most {QueryLimits.MaxPathSegments}; the log's own fields are indexed already).");
            }
        }
    }

    /// <summary>The configured fields as query fields.</summary>
    public IReadOnlyList<FieldRef> IndexedFieldRefs() =>
        IndexedFields.Select(f => FieldRef.Parse(f.Split('.'))).Distinct().ToList();
}
