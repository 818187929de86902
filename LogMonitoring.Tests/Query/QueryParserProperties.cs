using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LogMonitoring.Query;

namespace LogMonitoring.Tests.Query;

/// <summary>Properties of the parser over generated input: it never throws, and what it reads back is what was written.</summary>
public sealed class QueryParserProperties
{
    private static readonly DateTime Now = new(2026, 1, 15, 12, 0, 0, DateTimeKind.Utc);

    [Property(MaxTest = 3000, Arbitrary = [typeof(QueryGenerators)])]
    public void Any_text_is_answered_with_a_query_or_an_error_with_a_column(HostileQuery query)
    {
        var result = QueryParser.Parse(query.Text, Now);

        if (result.Success)
        {
            Assert.True(Leaves(result.Query) <= QueryLimits.MaxTerms);
        }
        else
        {
            Assert.InRange(result.Error!.Column, 1, query.Text.Length + 1);
            Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        }
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(QueryGenerators)])]
    public void A_phrase_finds_exactly_its_text(NonEmptyString text)
    {
        var value = text.Get.Replace("\0", "", StringComparison.Ordinal);
        if (value.Length == 0 || value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
        {
            return;
        }

        var result = QueryParser.Parse(QueryText.Phrase(value), Now);

        Assert.True(result.Success, result.Error?.ToString());
        Assert.Equal(value, Assert.IsType<TextMatch>(result.Query).Text);
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(QueryGenerators)])]
    public void A_field_compared_to_a_quoted_value_keeps_the_value_as_written(FieldName field, NonEmptyString text)
    {
        var value = text.Get;
        if (value.Any(char.IsControl))
        {
            return;
        }

        var result = QueryParser.Parse($"{field.Name}:{QueryText.Phrase(value)}", Now);

        Assert.True(result.Success, result.Error?.ToString());
        var equals = Assert.IsType<FieldEquals>(result.Query);
        Assert.Equal(FieldRef.Parse(field.Name.Split('.')).Name, equals.Field.Name);
        Assert.Equal(value, Assert.Single(equals.Values).Text);
    }

    [Property(MaxTest = 1000, Arbitrary = [typeof(QueryGenerators)])]
    public void A_generated_query_reads_back_as_the_tree_it_was_written_from(GeneratedQuery query)
    {
        var result = QueryParser.Parse(query.Text, Now);

        Assert.True(result.Success, $"{query.Text}: {result.Error}");
        Assert.Equal(QueryText.Show(QueryParser.Simplify(query.Tree)), QueryText.Show(result.Query));
    }

    private static int Leaves(QueryNode? node) => node switch
    {
        null => 0,
        AllOf all => all.Terms.Sum(Leaves),
        AnyOf any => any.Terms.Sum(Leaves),
        Not not => Leaves(not.Term),
        FieldEquals equals => equals.Values.Count,
        _ => 1,
    };
}

public sealed record HostileQuery(string Text)
{
    public override string ToString() => Text;
}

public sealed record FieldName(string Name)
{
    public override string ToString() => Name;
}

/// <summary>A query written from a random tree, with the tree.</summary>
public sealed record GeneratedQuery(string Text, QueryNode Tree)
{
    public override string ToString() => Text;
}

public static class QueryGenerators
{
    private static readonly string[] Pieces =
    [
        "a", "b", "level", "service", "host", "user_id", "http.status", ":", ",", "*", "-", "(", ")", "\"", "\\", " ", "AND", "OR", "NOT",
        ">", ">=", "<", "<=", "!=", "500", "1e3", "ERROR", "now-1h", "$where", "{", "}", "é", "Σ", "😀", "\t", "..", "'", "%", "_",
    ];

    public static Arbitrary<HostileQuery> HostileQueries() =>
        Gen.Frequency(
                (4, Gen.ListOf(Gen.Elements(Pieces)).Select(parts => string.Concat(parts))),
                (1, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? "")))
            .Select(text => new HostileQuery(text))
            .ToArbitrary();

    public static Arbitrary<FieldName> FieldNames() =>
        Gen.Elements("service", "host", "trace_id", "user_id", "http.status", "metadata.user.id", "x-request-id", "_a.b-c")
            .Select(n => new FieldName(n))
            .ToArbitrary();

    public static Arbitrary<GeneratedQuery> GeneratedQueries() => Tree(3).ToArbitrary();

    private static Gen<GeneratedQuery> Tree(int depth)
    {
        var leaf = Gen.OneOf(
            Gen.Elements("timeout", "disk", "ünïcode", "ΣΊΣΥΦΟΣ").Select(w => new GeneratedQuery(w, new TextMatch(w))),
            Gen.Elements("timed out", "a \"quoted\" word", "back\\slash").Select(p => new GeneratedQuery(QueryText.Phrase(p), new TextMatch(p))),
            Gen.Elements("web-1", "web-2").Select(h => new GeneratedQuery($"host:{h}", new FieldEquals(FieldRef.Of(LogField.Host), [new QueryValue(h)]))),
            Gen.Choose(0, 999).Select(n => new GeneratedQuery($"duration_ms>{n}",
                new FieldCompare(FieldRef.Metadata("duration_ms"), CompareOperator.GreaterThan, QueryValue.Unquoted($"{n}")))),
            Gen.Elements("u1", "u2").Select(u => new GeneratedQuery($"user_id:{u}", new FieldEquals(FieldRef.Metadata("user_id"), [QueryValue.Unquoted(u)]))),
            Gen.Constant(new GeneratedQuery("trace_id:*", new FieldExists(FieldRef.Of(LogField.TraceId)))));
        if (depth == 0)
        {
            return leaf;
        }

        var inner = Tree(depth - 1);
        return Gen.Frequency(
            (3, leaf),
            (1, inner.Select(q => new GeneratedQuery($"NOT ({q.Text})", new Not(q.Tree)))),
            (1, Gen.Zip(inner, inner).Select(p => new GeneratedQuery($"({p.Item1.Text}) OR ({p.Item2.Text})", new AnyOf([p.Item1.Tree, p.Item2.Tree])))),
            (1, Gen.Zip(inner, inner).Select(p => new GeneratedQuery($"({p.Item1.Text}) AND ({p.Item2.Text})", new AllOf([p.Item1.Tree, p.Item2.Tree])))));
    }
}
