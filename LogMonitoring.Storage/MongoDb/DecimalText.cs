using System.Numerics;

namespace LogMonitoring.Storage.MongoDb;

/// <summary>
/// Compares numbers written in decimal (JSON's grammar, and the forms .NET and MongoDB print) by their
/// exact value: <c>1e2</c>, <c>100</c> and <c>100.0</c> are the same; <c>0.1</c> and <c>0.1000000000000000055</c> are not.
/// </summary>
public static class DecimalText
{
    public static bool SameValue(string a, string b) =>
        TryNormalize(a, out var x) && TryNormalize(b, out var y) && x == y;

    /// <summary>The value as (negative, significant digits without leading or trailing zeros, exponent of the last digit); zero is (false, "0", 0).</summary>
    public static bool TryNormalize(string text, out (bool Negative, string Digits, BigInteger Exponent) value)
    {
        value = default;
        var span = text.AsSpan().Trim();
        var negative = false;
        if (span.Length > 0 && (span[0] == '-' || span[0] == '+'))
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        var e = span.IndexOfAny('e', 'E');
        BigInteger exponent = 0;
        if (e >= 0)
        {
            if (!BigInteger.TryParse(span[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out exponent))
            {
                return false;
            }

            span = span[..e];
        }

        var dot = span.IndexOf('.');
        var digits = dot < 0 ? span.ToString() : string.Concat(span[..dot], span[(dot + 1)..]);
        if (dot >= 0)
        {
            exponent -= span.Length - dot - 1;
        }

        if (digits.Length == 0 || digits.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var trimmed = digits.TrimStart('0');
        if (trimmed.Length == 0)
        {
            value = (false, "0", 0);
            return true;
        }

        var significant = trimmed.TrimEnd('0');
        exponent += trimmed.Length - significant.Length;
        value = (negative, significant, exponent);
        return true;
    }
}
