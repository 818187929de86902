using Superpower;
using Superpower.Model;
using Superpower.Parsers;

namespace LogMonitoring.Query;

/// <summary>The query as written: terms, operators and values with their columns, before any meaning is given.</summary>
internal abstract record Syntax;

internal sealed record AndSyntax(IReadOnlyList<Syntax> Terms) : Syntax;

internal sealed record OrSyntax(IReadOnlyList<Syntax> Terms) : Syntax;

internal sealed record NotSyntax(Syntax Term) : Syntax;

internal sealed record TextSyntax(string Text, bool Quoted, int Column) : Syntax;

/// <param name="Operator">":" (equals, exists or prefix), "!=", "&gt;", "&gt;=", "&lt;" or "&lt;=".</param>
internal sealed record FieldSyntax(string Name, int Column, string Operator, IReadOnlyList<ValueSyntax> Values) : Syntax;

internal sealed record ValueSyntax(string Text, bool Quoted, int Column);

/// <summary>
/// The grammar, as Superpower parsers over characters (documented in docs/api.md):
/// <code>
/// query   := or?
/// or      := and ("OR" and)*
/// and     := unary ("AND"? unary)*          terms side by side are ANDed
/// unary   := ("NOT" | "-")* primary
/// primary := "(" or ")" | phrase | field | word
/// field   := name (":" ("*" | op? values) | op value)
/// op      := "&gt;=" | "&lt;=" | "!=" | "&gt;" | "&lt;"
/// values  := value ("," value)*
/// value   := phrase | bare                  bare: no space, ( ) , or "
/// name    := [A-Za-z_][A-Za-z0-9_.-]*
/// phrase  := '"' (char | '\"' | '\\')* '"'
/// </code>
/// Every token swallows the white space after it, so the parsers meet at token starts.
/// </summary>
internal static class QuerySyntax
{
    private static readonly TextParser<Unit> Space = Character.WhiteSpace.IgnoreMany();

    private static TextParser<T> Token<T>(TextParser<T> parser) => parser.Then(value => Space.Value(value));

    private static bool IsWordChar(char c) => !char.IsWhiteSpace(c) && c is not '(' and not ')' and not '"';

    private static TextParser<(T Value, int Column)> Located<T>(TextParser<T> parser) => input =>
    {
        var result = parser(input);
        return result.HasValue
            ? Result.Value((result.Value, input.Position.Column), result.Location, result.Remainder)
            : Result.CastEmpty<T, (T, int)>(result);
    };

    private static TextParser<string> Keyword(string keyword) =>
        Token(Span.EqualTo(keyword).Then(_ => Parse.Not(Character.Matching(IsWordChar, "word character")).Value(keyword)).Try());

    private static readonly TextParser<string> And = Keyword("AND");
    private static readonly TextParser<string> Or = Keyword("OR");

    private static readonly TextParser<string> NotPrefix =
        Keyword("NOT").Or(Character.EqualTo('-')
            .Then(_ => Parse.Not(Parse.Not(Character.Matching(c => char.IsAsciiLetter(c) || c is '_' or '(' or '"', "a term"))))
            .Value("-")
            .Try());

    private static readonly TextParser<char> EscapedChar = Character.EqualTo('\\').IgnoreThen(Character.In('"', '\\').Named("\\\" or \\\\ after a backslash"));

    private static readonly TextParser<string> Phrase =
        from open in Character.EqualTo('"')
        from chars in EscapedChar.Or(Character.ExceptIn('"', '\\')).Many()
        from close in Character.EqualTo('"').Named("closing quote")
        select new string(chars);

    private static readonly TextParser<string> Word =
        Character.Matching(IsWordChar, "a word").AtLeastOnce().Select(chars => new string(chars))
            .Where(w => w is not ("AND" or "OR" or "NOT"), "a term (AND, OR and NOT are operators; quote them to search for the word)");

    private static readonly TextParser<string> Name =
        Span.MatchedBy(Character.Matching(c => char.IsAsciiLetter(c) || c == '_', "field name")
            .IgnoreThen(Character.Matching(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.', "field name").IgnoreMany()))
        .Select(span => span.ToStringValue());

    private static readonly TextParser<string> CompareOperator =
        Span.EqualTo(">=").Try().Or(Span.EqualTo("<=").Try()).Or(Span.EqualTo("!=").Try()).Or(Span.EqualTo(">")).Or(Span.EqualTo("<"))
            .Select(span => span.ToStringValue())
            .Named("an operator (:, >, >=, <, <=, !=)");

    private static readonly TextParser<string> FieldOperator =
        Character.EqualTo(':').IgnoreThen(CompareOperator.OptionalOrDefault(":"))
            .Or(Space.IgnoreThen(CompareOperator).Then(op => Space.Value(op)));

    private static readonly TextParser<ValueSyntax> Value =
        Located(Phrase).Select(p => new ValueSyntax(p.Value, true, p.Column))
            .Or(Located(Character.Matching(c => IsWordChar(c) && c != ',', "a value").AtLeastOnce())
                .Select(b => new ValueSyntax(new string(b.Value), false, b.Column)))
            .Named("a value");

    private static readonly TextParser<IReadOnlyList<ValueSyntax>> Values =
        Value.AtLeastOnceDelimitedBy(Character.EqualTo(',')).Select(v => (IReadOnlyList<ValueSyntax>)v);

    private static readonly TextParser<Syntax> Field =
        from head in Located(Name).Then(name => FieldOperator.Select(op => (Name: name, Operator: op))).Try()
        from values in Token(Values)
        select (Syntax)new FieldSyntax(head.Name.Value, head.Name.Column, head.Operator, values);

    private static readonly TextParser<Syntax> Text =
        Token(Located(Phrase)).Select(p => (Syntax)new TextSyntax(p.Value, true, p.Column))
            .Or(Token(Located(Word)).Select(w => (Syntax)new TextSyntax(w.Value, false, w.Column)));

    private static readonly TextParser<Syntax> Group =
        from open in Token(Character.EqualTo('('))
        from inner in Parse.Ref(() => OrExpression!)
        from close in Token(Character.EqualTo(')').Named("closing parenthesis"))
        select inner;

    private static readonly TextParser<Syntax> Primary = Group.Or(Field).Or(Text);

    private static readonly TextParser<Syntax> Unary =
        from nots in Token(NotPrefix).Many()
        from term in Primary
        select nots.Length % 2 == 1 ? new NotSyntax(term) : term;

    private static readonly TextParser<Syntax> AndExpression =
        from first in Unary
        from rest in And.OptionalOrDefault("").IgnoreThen(Unary).Many()
        select rest.Length == 0 ? first : new AndSyntax([first, .. rest]);

    private static readonly TextParser<Syntax> OrExpression =
        AndExpression.AtLeastOnceDelimitedBy(Or).Select(terms => terms.Length == 1 ? terms[0] : new OrSyntax(terms));

    /// <summary>A whole query: null when it is empty.</summary>
    public static readonly TextParser<Syntax?> Query =
        Space.IgnoreThen(OrExpression.Select(s => (Syntax?)s).OptionalOrDefault()).AtEnd();
}
