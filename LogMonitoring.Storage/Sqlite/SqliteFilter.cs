using System.Text;
using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage.Search;
using Microsoft.Data.Sqlite;

namespace LogMonitoring.Storage.Sqlite;

/// <summary>
/// Compiles a <see cref="LogQuery"/> to a SQL condition over <c>logs</c>. Every value the user wrote is
/// a parameter; the only text put into the SQL is column names, operators and, for metadata fields an
/// operator configured to be indexed, a JSON path taken from the validated configuration.
/// NOT is two-valued (<c>NOT coalesce(x, 0)</c>): a log without the field does not match a term, so it
/// matches its negation, as in MongoDB.
/// </summary>
internal sealed class SqliteFilter
{
    /// <summary>The full-text table: trigrams of each message, case-folded, rowid = logs.seq.</summary>
    public const string TextTable = "logs_text";

    /// <summary>The text index's watermark: logs with a <c>seq</c> up to it are in <see cref="TextTable"/>.</summary>
    public const string TextIndexState = "text_index_state";

    /// <summary>The SQL function that folds case as <see cref="TextFolding.Fold"/> does.</summary>
    public const string FoldFunction = "logmon_fold";

    private readonly SqliteCommand _command;
    private readonly IReadOnlyDictionary<FieldRef, string> _indexedPaths;
    private readonly IReadOnlySet<string> _commonText;
    private int _parameters;

    private SqliteFilter(SqliteCommand command, IReadOnlyDictionary<FieldRef, string> indexedPaths, IReadOnlySet<string>? commonText)
    {
        _command = command;
        _indexedPaths = indexedPaths;
        _commonText = commonText ?? new HashSet<string>();
    }

    /// <summary>The conditions of <paramref name="query"/>, ANDed (empty when it matches everything); parameters go on the command.</summary>
    /// <param name="commonText">
    /// Folded needles known to match many logs: a newest-first page checks those log by log as it walks
    /// the time index (it finds a page's worth soon), instead of collecting every match first.
    /// </param>
    public static List<string> Conditions(SqliteCommand command, LogQuery query, IReadOnlyDictionary<FieldRef, string> indexedPaths, IReadOnlySet<string>? commonText = null)
    {
        var filter = new SqliteFilter(command, indexedPaths, commonText);
        var conditions = new List<string>();
        if (query.Service is not null)
        {
            conditions.Add($"service = {filter.Parameter(query.Service)}");
        }

        if (query.Services is { Count: > 0 } services)
        {
            conditions.Add($"service IN ({filter.Parameters(services.Cast<object>())})");
        }

        if (query.Levels is { Count: > 0 } levels)
        {
            conditions.Add($"level IN ({filter.Parameters(levels.Select(l => (object)(int)l))})");
        }

        if (query.Start is { } start)
        {
            conditions.Add($"ts >= {filter.Parameter(start.Ticks)}");
        }

        if (query.End is { } end)
        {
            conditions.Add($"ts < {filter.Parameter(end.Ticks)}");
        }

        if (query.Where is AllOf all)
        {
            // Top-level terms stay separate conditions, so the planner sees each one (and its index).
            conditions.AddRange(all.Terms.Select(filter.Compile));
        }
        else if (query.Where is { } where)
        {
            conditions.Add(filter.Compile(where));
        }

        return conditions;
    }

    /// <summary>The text needles of a query that the trigram index serves (three characters or more), folded.</summary>
    public static IEnumerable<string> IndexedNeedles(QueryNode? node) => node switch
    {
        AllOf all => all.Terms.SelectMany(IndexedNeedles),
        AnyOf any => any.Terms.SelectMany(IndexedNeedles),
        Not not => IndexedNeedles(not.Term),
        TextMatch text when Trigrams.ScalarCount(text.Folded) >= Trigrams.Length => [text.Folded],
        _ => [],
    };

    /// <summary>" WHERE a AND b", or "" when there is no condition.</summary>
    public static string WhereClause(IReadOnlyList<string> conditions) =>
        conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

    /// <summary>The JSON path of a metadata field, e.g. <c>$."http"."status"</c> (segments are letters, digits, _ and - only).</summary>
    public static string JsonPath(FieldRef field) => "$" + string.Concat(field.Path.Select(s => $".\"{s}\""));

    /// <summary>The FTS5 query for one phrase: the folded text in double quotes, quotes doubled; FTS5 reads nothing else in it.</summary>
    public static string TextPhrase(string folded) => "\"" + folded.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private string Compile(QueryNode node) => node switch
    {
        AllOf all => "(" + string.Join(" AND ", all.Terms.Select(Compile)) + ")",
        AnyOf any => "(" + string.Join(" OR ", any.Terms.Select(Compile)) + ")",
        Not not => $"NOT coalesce({Compile(not.Term)}, 0)",
        TextMatch text => Text(text),
        FieldExists exists => Exists(exists.Field),
        FieldEquals equals => equals.Field.Field == LogField.Metadata ? MetadataEquals(equals.Field, equals.Values) : ColumnEquals(equals),
        FieldCompare compare => compare.Field.Field == LogField.Metadata ? MetadataCompare(compare) : ColumnCompare(compare),
        FieldPrefix prefix => prefix.Field.Field == LogField.Metadata ? MetadataPrefix(prefix) : ColumnPrefix(prefix),
        _ => throw new NotSupportedException($"Query node {node.GetType().Name} has no SQL form."),
    };

    private string Text(TextMatch text)
    {
        // The trigram index finds needles of three characters or more. Shorter ones, and common ones (a page
        // is found among the newest few thousand logs), are checked row by row on the message itself: a
        // per-row MATCH against the index would read the needle's whole posting list for every row.
        if (Trigrams.ScalarCount(text.Folded) < Trigrams.Length || _commonText.Contains(text.Folded))
        {
            return $"instr({FoldFunction}(message), {Parameter(text.Folded)}) > 0";
        }

        // The index holds the logs up to its watermark; the few stored since are checked one by one, with the
        // watermark read in this statement, so the two parts neither overlap nor leave a gap.
        return $"seq IN (SELECT rowid FROM {TextTable} WHERE {TextTable} MATCH {Parameter(TextPhrase(text.Folded))}" +
            $" UNION ALL SELECT unindexed.seq FROM logs AS unindexed WHERE unindexed.seq > (SELECT watermark FROM {TextIndexState} WHERE name = 'logs')" +
            $" AND instr({FoldFunction}(unindexed.message), {Parameter(text.Folded)}) > 0)";
    }

    private static string Column(LogField field) => field switch
    {
        LogField.Service => "service",
        LogField.Level => "level",
        LogField.Host => "host",
        LogField.TraceId => "trace_id",
        LogField.SpanId => "span_id",
        LogField.Id => "id",
        LogField.Timestamp => "ts",
        LogField.Message => "message",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "metadata has no column"),
    };

    private static object ColumnValue(LogField field, QueryValue value) => field switch
    {
        LogField.Level => (int)value.Level!.Value,
        LogField.Timestamp => value.Time!.Value.Ticks,
        _ => value.Text,
    };

    private string Exists(FieldRef field) => field.Field switch
    {
        LogField.Host or LogField.TraceId or LogField.SpanId => $"{Column(field.Field)} IS NOT NULL",
        LogField.Metadata => $"json_type(metadata, {MetadataPath(field)}) IS NOT NULL",
        // service, level, id, timestamp and message are always there.
        _ => "1",
    };

    private string ColumnEquals(FieldEquals equals)
    {
        var column = Column(equals.Field.Field);
        var values = equals.Values.Select(v => ColumnValue(equals.Field.Field, v)).Distinct().ToList();
        return values.Count == 1 ? $"{column} = {Parameter(values[0])}" : $"{column} IN ({Parameters(values)})";
    }

    private string ColumnCompare(FieldCompare compare) =>
        $"{Column(compare.Field.Field)} {Operator(compare.Operator)} {Parameter(ColumnValue(compare.Field.Field, compare.Bound))}";

    private string ColumnPrefix(FieldPrefix prefix) => Range(Column(prefix.Field.Field), prefix.Prefix);

    private string Range(string expression, string prefix) => PrefixRange.UpperBound(prefix) is { } upper
        ? $"{expression} >= {Parameter(prefix)} AND {expression} < {Parameter(upper)}"
        : $"{expression} >= {Parameter(prefix)}";

    private string MetadataEquals(FieldRef field, IReadOnlyList<QueryValue> values)
    {
        var scalars = values.Select(v => (object)v.Text)
            .Concat(values.Where(v => v.IsNumber).Select(v => v.Integer is { } i ? (object)i : v.Real!.Value))
            .Distinct()
            .ToList();
        var booleans = values.Where(v => v.Boolean is not null).Select(v => v.Boolean!.Value ? "'true'" : "'false'").Distinct().ToList();
        if (_indexedPaths.TryGetValue(field, out var literal))
        {
            // The indexed form: json_extract(...) IN (...) is what the expression index serves. json_extract
            // turns true into 1 and objects into JSON text, so those types are ruled out beside it.
            var indexed = $"(json_extract(metadata, {literal}) IN ({Parameters(scalars)}) AND json_type(metadata, {literal}) NOT IN ('true', 'false', 'object', 'array'))";
            return booleans.Count == 0 ? indexed : $"({indexed} OR json_type(metadata, {literal}) IN ({string.Join(", ", booleans)}))";
        }

        var texts = scalars.OfType<string>().ToList();
        var numbers = scalars.Where(v => v is not string).ToList();
        var tests = new List<string> { $"(j.type = 'text' AND j.value IN ({Parameters(texts)}))" };
        if (numbers.Count > 0)
        {
            tests.Add($"(j.type IN ('integer', 'real') AND j.value IN ({Parameters(numbers)}))");
        }

        if (booleans.Count > 0)
        {
            tests.Add($"j.type IN ({string.Join(", ", booleans)})");
        }

        return EachValue(field, string.Join(" OR ", tests));
    }

    private string MetadataCompare(FieldCompare compare)
    {
        var bound = compare.Bound;
        var (value, types) = bound.IsNumber
            ? (bound.Integer is { } i ? (object)i : bound.Real!.Value, "IN ('integer', 'real')")
            : ((object)bound.Text, "= 'text'");
        if (_indexedPaths.TryGetValue(compare.Field, out var literal))
        {
            return $"(json_extract(metadata, {literal}) {Operator(compare.Operator)} {Parameter(value)} AND json_type(metadata, {literal}) {types})";
        }

        return EachValue(compare.Field, $"j.type {types} AND j.value {Operator(compare.Operator)} {Parameter(value)}");
    }

    private string MetadataPrefix(FieldPrefix prefix)
    {
        if (_indexedPaths.TryGetValue(prefix.Field, out var literal))
        {
            return $"({Range($"json_extract(metadata, {literal})", prefix.Prefix)} AND json_type(metadata, {literal}) = 'text')";
        }

        return EachValue(prefix.Field, $"j.type = 'text' AND {Range("j.value", prefix.Prefix)}");
    }

    /// <summary>
    /// A test on the field's value, or on any element when it is an array (as MongoDB compares arrays);
    /// an object's members are not values of the field.
    /// </summary>
    private string EachValue(FieldRef field, string test) =>
        $"EXISTS (SELECT 1 FROM json_each(logs.metadata, {MetadataPath(field)}) AS j WHERE (j.key IS NULL OR typeof(j.key) = 'integer') AND ({test}))";

    private string MetadataPath(FieldRef field) =>
        _indexedPaths.TryGetValue(field, out var literal) ? literal : Parameter(JsonPath(field));

    private static string Operator(CompareOperator op) => op switch
    {
        CompareOperator.GreaterThan => ">",
        CompareOperator.GreaterOrEqual => ">=",
        CompareOperator.LessThan => "<",
        _ => "<=",
    };

    private string Parameters(IEnumerable<object> values) => string.Join(", ", values.Select(Parameter));

    private string Parameter(object value)
    {
        var name = "$q" + _parameters++;
        _command.Parameters.AddWithValue(name, value);
        return name;
    }
}
