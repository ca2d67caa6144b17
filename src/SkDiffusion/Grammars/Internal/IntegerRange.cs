using System.Globalization;
using System.Numerics;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The decimal spellings (no leading zeros, <c>-</c> for negatives, never <c>-0</c>) of the integers in a range, as a
/// regular language. Either bound may be open.
/// </summary>
internal static class IntegerRange
{
    /// <summary>The integers in [<paramref name="min"/>, <paramref name="max"/>] (null = unbounded).</summary>
    public static RegexNode Build(BigInteger? min, BigInteger? max)
    {
        var options = new List<RegexNode>();

        // Non-negative part: [max(min, 0), max].
        if (max is not { Sign: < 0 })
        {
            BigInteger lo = min is { } a && a.Sign > 0 ? a : BigInteger.Zero;
            options.Add(NonNegative(lo, max));
        }

        // Negative part: -[1.., -min] restricted to values <= max.
        if (min is not { Sign: >= 0 })
        {
            BigInteger lo = max is { } b && b.Sign < 0 ? -b : BigInteger.One;
            BigInteger? hi = min is { } a ? -a : null;
            options.Add(RegexNode.Concat(RegexNode.Byte((byte)'-'), NonNegative(lo, hi)));
        }

        return RegexNode.Alternation(options);
    }

    /// <summary>Spellings of [lo, hi] with lo &gt;= 0 (hi null = unbounded).</summary>
    private static RegexNode NonNegative(BigInteger lo, BigInteger? hi)
    {
        if (hi is { } h && h < lo)
        {
            return RegexNode.Nothing;
        }

        string loText = lo.ToString(CultureInfo.InvariantCulture);
        if (hi is null)
        {
            // [lo, 10^len - 1] then every number with more digits.
            var longer = RegexNode.Concat(Digits('1', '9'), RegexNode.Repeat(Digits('0', '9'), loText.Length, -1));
            return RegexNode.Alternation(NonNegative(lo, BigInteger.Pow(10, loText.Length) - 1), longer);
        }

        string hiText = hi.Value.ToString(CultureInfo.InvariantCulture);
        var options = new List<RegexNode>();
        for (int len = loText.Length; len <= hiText.Length; len++)
        {
            string a = len == loText.Length ? loText : "1" + new string('0', len - 1);
            string b = len == hiText.Length ? hiText : new string('9', len);
            if (len == 1)
            {
                options.Add(Digits(a[0], b[0]));
            }
            else
            {
                options.Add(SameLength(a, b));
            }
        }

        return RegexNode.Alternation(options);
    }

    /// <summary>Digit strings of one length between a and b inclusive (a &lt;= b, same length).</summary>
    private static RegexNode SameLength(string a, string b)
    {
        if (a.Length == 0)
        {
            return RegexNode.Empty;
        }

        if (a[0] == b[0])
        {
            return RegexNode.Concat(RegexNode.Byte((byte)a[0]), SameLength(a[1..], b[1..]));
        }

        int rest = a.Length - 1;
        var options = new List<RegexNode>
        {
            // a[0] followed by [a[1..], 99..9]
            RegexNode.Concat(RegexNode.Byte((byte)a[0]), SameLength(a[1..], new string('9', rest))),
        };
        if (b[0] - a[0] > 1)
        {
            options.Add(RegexNode.Concat(Digits((char)(a[0] + 1), (char)(b[0] - 1)), RegexNode.Repeat(Digits('0', '9'), rest, rest)));
        }

        options.Add(RegexNode.Concat(RegexNode.Byte((byte)b[0]), SameLength(new string('0', rest), b[1..])));
        return RegexNode.Alternation(options);
    }

    /// <summary>One digit from <paramref name="lo"/> to <paramref name="hi"/>.</summary>
    internal static RegexNode Digits(char lo, char hi) => RegexNode.Class(ByteSet.Range(lo, hi));
}
