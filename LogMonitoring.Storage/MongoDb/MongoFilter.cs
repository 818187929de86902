using LogMonitoring.Contracts;
using LogMonitoring.Query;
using LogMonitoring.Storage.Search;
using MongoDB.Bson;
using MongoDB.Driver;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Compiles a <see cref="LogQuery"/> to a MongoDB filter with the driver's typed builders. Values are
/// BSON values, never operators; metadata paths are validated segments (letters, digits, _ and -), so
/// nothing a user writes can become a <c>$</c> operator or a pattern.
/// </summary>
internal static class MongoFilter
{
    private static readonly FilterDefinitionBuilder<LogDocument> F = Builders<LogDocument>.Filter;

    public static FilterDefinition<LogDocument> Build(LogQuery query)
    {
        var filter = F.Empty;
        if (query.Service is not null)
        {
            filter &= F.Eq(d => d.Service, query.Service);
        }

        if (query.Services is { Count: > 0 } services)
        {
            filter &= F.In(d => d.Service, services);
        }

        if (query.Levels is { Count: > 0 } levels)
        {
            filter &= F.In(d => d.Level, levels.Select(l => l.ToWireName()));
        }

        if (query.Start is { } start)
        {
            filter &= F.Gte(d => d.Timestamp, start);
        }

        if (query.End is { } end)
        {
            filter &= F.Lt(d => d.Timestamp, end);
        }

        if (query.Where is { } where)
        {
            filter &= Compile(where);
        }

        return filter;
    }

    /// <summary>Newest first: bounded by the cursor's timestamp, so the index scan starts at the cursor.</summary>
    public static FilterDefinition<LogDocument> After(LogCursor cursor) =>
        F.Lte(d => d.Timestamp, cursor.Timestamp) &
        (F.Lt(d => d.Timestamp, cursor.Timestamp) | F.Lt(d => d.Id, cursor.Id));

    public static string MetadataPath(FieldRef field) => "metadata." + string.Join('.', field.Path);

    private static FilterDefinition<LogDocument> Compile(QueryNode node) => node switch
    {
        AllOf all => F.And(all.Terms.Select(Compile)),
        AnyOf any => F.Or(any.Terms.Select(Compile)),
        Not not => F.Not(Compile(not.Term)),
        TextMatch text => Text(text),
        FieldExists exists => Exists(exists.Field),
        FieldEquals equals => Equals(equals),
        FieldCompare compare => Compare(compare),
        FieldPrefix prefix => Prefix(prefix),
        _ => throw new NotSupportedException($"Query node {node.GetType().Name} has no MongoDB form."),
    };

    /// <summary>
    /// The folded message contains the folded needle: <c>$indexOfCP</c> decides, and for needles of three
    /// characters or more the trigram index narrows the candidates first (or the message is flagged long).
    /// </summary>
    private static FilterDefinition<LogDocument> Text(TextMatch text)
    {
        var needle = text.Folded;
        var contains = F.Where(d => d.TextFolded!.IndexOf(needle) >= 0);
        if (Trigrams.ScalarCount(needle) < Trigrams.Length)
        {
            return contains;
        }

        var grams = Trigrams.Distinct(needle, int.MaxValue)!;
        return F.Or(F.All(d => d.TextGrams, grams), F.Eq(d => d.TextLong, true)) & contains;
    }

    private static FilterDefinition<LogDocument> Exists(FieldRef field) => field.Field switch
    {
        LogField.Host => F.Exists(d => d.Host),
        LogField.TraceId => F.Exists(d => d.TraceId),
        LogField.SpanId => F.Exists(d => d.SpanId),
        LogField.Metadata => F.Exists(MetadataPath(field)),
        _ => F.Empty,
    };

    private static FilterDefinition<LogDocument> Equals(FieldEquals equals)
    {
        var field = equals.Field;
        var values = equals.Values;
        return field.Field switch
        {
            LogField.Level => F.In(d => d.Level, values.Select(v => v.Level!.Value.ToWireName()).Distinct()),
            LogField.Timestamp => F.In(d => d.Timestamp, values.Select(v => v.Time!.Value).Distinct()),
            LogField.Metadata => F.In(new StringFieldDefinition<LogDocument, BsonValue>(MetadataPath(field)), Candidates(values)),
            _ => F.In(new StringFieldDefinition<LogDocument, string>(ColumnName(field.Field)), values.Select(v => v.Text).Distinct()),
        };
    }

    /// <summary>Every reading of the values: the text, and the number or boolean it was written as.</summary>
    internal static IReadOnlyList<BsonValue> Candidates(IEnumerable<QueryValue> values) =>
        values.SelectMany(v => new BsonValue?[]
            {
                new BsonString(v.Text),
                v.Integer is { } i ? new BsonInt64(i) : v.Real is { } r ? new BsonDouble(r) : null,
                v.Boolean is { } b ? (BsonValue)b : null,
            })
            .OfType<BsonValue>()
            .Distinct()
            .ToList();

    private static FilterDefinition<LogDocument> Compare(FieldCompare compare)
    {
        var field = compare.Field;
        var op = compare.Operator;
        switch (field.Field)
        {
            case LogField.Level:
                var bound = compare.Bound.Level!.Value;
                return F.In(d => d.Level, LogEventLevels.All.Where(l => Holds(((int)l).CompareTo((int)bound), op)).Select(l => l.ToWireName()));
            case LogField.Timestamp:
                return Range(new ExpressionFieldDefinition<LogDocument, DateTime>(d => d.Timestamp), op, compare.Bound.Time!.Value);
            case LogField.Metadata:
                BsonValue value = compare.Bound.Integer is { } i ? new BsonInt64(i)
                    : compare.Bound.Real is { } r ? new BsonDouble(r)
                    : new BsonString(compare.Bound.Text);
                return Range(new StringFieldDefinition<LogDocument, BsonValue>(MetadataPath(field)), op, value);
            default:
                return Range(new StringFieldDefinition<LogDocument, string>(ColumnName(field.Field)), op, compare.Bound.Text);
        }
    }

    private static FilterDefinition<LogDocument> Prefix(FieldPrefix prefix)
    {
        var upper = PrefixRange.UpperBound(prefix.Prefix);
        if (prefix.Field.Field == LogField.Metadata)
        {
            var field = new StringFieldDefinition<LogDocument, BsonValue>(MetadataPath(prefix.Field));
            return upper is null ? F.Gte(field, prefix.Prefix) : F.Gte(field, prefix.Prefix) & F.Lt(field, upper);
        }

        var column = new StringFieldDefinition<LogDocument, string>(ColumnName(prefix.Field.Field));
        return upper is null ? F.Gte(column, prefix.Prefix) : F.Gte(column, prefix.Prefix) & F.Lt(column, upper);
    }

    private static FilterDefinition<LogDocument> Range<T>(FieldDefinition<LogDocument, T> field, CompareOperator op, T value) => op switch
    {
        CompareOperator.GreaterThan => F.Gt(field, value),
        CompareOperator.GreaterOrEqual => F.Gte(field, value),
        CompareOperator.LessThan => F.Lt(field, value),
        _ => F.Lte(field, value),
    };

    private static bool Holds(int comparison, CompareOperator op) => op switch
    {
        CompareOperator.GreaterThan => comparison > 0,
        CompareOperator.GreaterOrEqual => comparison >= 0,
        CompareOperator.LessThan => comparison < 0,
        _ => comparison <= 0,
    };

    /// <summary>The stored element name of a log field (see <see cref="LogDocument"/>).</summary>
    internal static string ColumnName(LogField field) => field switch
    {
        LogField.Service => "service",
        LogField.Level => "level",
        LogField.Host => "host",
        LogField.TraceId => "trace_id",
        LogField.SpanId => "span_id",
        LogField.Id => "_id",
        LogField.Timestamp => "timestamp",
        LogField.Message => "message",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "metadata is a path, not a column"),
    };
}
