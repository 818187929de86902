namespace LogMonitoring.Query;

/// <summary>The fields of a stored log a query can name; anything else is a path inside <c>metadata</c>.</summary>
public enum LogField
{
    Service,
    Level,
    Host,
    TraceId,
    SpanId,
    Id,
    Timestamp,
    Message,
    Metadata,
}

/// <summary>
/// A field a query names: one of the log's own fields, or a path into its metadata (<c>user.id</c> is
/// <c>metadata.user.id</c>). Path segments hold only letters, digits, <c>_</c> and <c>-</c>, so a path can
/// never be read as an operator or break out of a JSON path.
/// </summary>
public sealed record FieldRef(LogField Field, IReadOnlyList<string> Path)
{
    public static FieldRef Of(LogField field) => new(field, []);

    public static FieldRef Metadata(params string[] path) => new(LogField.Metadata, path);

    /// <summary>The dotted name, as written in a query (<c>service</c>, <c>http.status</c>).</summary>
    public string Name => Field == LogField.Metadata ? string.Join('.', Path) : NameOf(Field);

    public bool Equals(FieldRef? other) => other is not null && Field == other.Field && Path.SequenceEqual(other.Path);

    public override int GetHashCode() => HashCode.Combine(Field, Name);

    public override string ToString() => Name;

    public static string NameOf(LogField field) => field switch
    {
        LogField.Service => "service",
        LogField.Level => "level",
        LogField.Host => "host",
        LogField.TraceId => "trace_id",
        LogField.SpanId => "span_id",
        LogField.Id => "id",
        LogField.Timestamp => "timestamp",
        LogField.Message => "message",
        _ => "metadata",
    };

    /// <summary>Reads a dotted name: a log field, <c>metadata.x.y</c>, or a metadata path <c>x.y</c>.</summary>
    public static FieldRef Parse(IReadOnlyList<string> segments)
    {
        if (segments.Count == 1)
        {
            foreach (var field in Enum.GetValues<LogField>())
            {
                if (field != LogField.Metadata && segments[0] == NameOf(field))
                {
                    return Of(field);
                }
            }
        }

        return segments[0] == "metadata" && segments.Count > 1
            ? new FieldRef(LogField.Metadata, segments.Skip(1).ToArray())
            : new FieldRef(LogField.Metadata, segments.ToArray());
    }

    /// <summary>A path segment: 1 to 64 letters, digits, <c>_</c> or <c>-</c>.</summary>
    public static bool IsSegment(string segment) =>
        segment.Length is > 0 and <= 64 && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
