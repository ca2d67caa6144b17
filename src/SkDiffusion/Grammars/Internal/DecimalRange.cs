using System.Globalization;
using System.Numerics;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The JSON spellings without an exponent (<c>-</c> for negatives, no leading zeros, any number of fraction digits,
/// never a negative zero) of the numbers in a decimal range, as a regular language. Each bound may be open, inclusive
/// or exclusive.
/// </summary>
/// <remarks>
/// A number splits into its integer part and its fraction digits. The integer parts strictly inside the range take any
/// fraction (an <see cref="IntegerRange"/>); the integer part of a bound takes the fractions on the range's side of the
/// bound's own fraction, built digit by digit: a first digit past the bound's frees the rest, an equal one recurses.
/// </remarks>
internal static class DecimalRange
{
    /// <summary>The numbers x with <paramref name="min"/> &lt;(=) x &lt;(=) <paramref name="max"/> (null = unbounded).</summary>
    public static RegexNode Build(decimal? min, bool minExclusive, decimal? max, bool maxExclusive)
    {
        var options = new List<RegexNode>();

        // x >= 0: [max(min, 0), max].
        if (max is not { } h || h > 0 || (h == 0 && !maxExclusive))
        {
            bool fromBound = min is { } m && m >= 0;
            options.Add(NonNegative(fromBound ? min!.Value : 0m, fromBound && minExclusive, max, maxExclusive));
        }

        // x < 0: x = -y with y in (max(0, -max), -min], y > 0.
        if (min is not { } l || l < 0)
        {
            bool fromBound = max is { } b && b < 0;
            var y = NonNegative(fromBound ? -max!.Value : 0m, !fromBound || maxExclusive, min is { } a ? -a : null, minExclusive);
            options.Add(RegexNode.Concat(RegexNode.Byte((byte)'-'), y));
        }

        return RegexNode.Alternation(options);
    }

    /// <summary>Spellings of non-negative x in the range from lo (&gt;= 0) to hi (null = unbounded).</summary>
    private static RegexNode NonNegative(decimal lo, bool loExclusive, decimal? hi, bool hiExclusive)
    {
        if (hi is { } top && (top < lo || (top == lo && (loExclusive || hiExclusive))))
        {
            return RegexNode.Nothing;
        }

        var (loInt, loFrac) = Split(lo);
        if (hi is not { } h)
        {
            return RegexNode.Alternation(
                RegexNode.Concat(Integer(loInt), Suffix(AtLeast(loFrac, loExclusive))),
                RegexNode.Concat(IntegerRange.Build(loInt + 1, null), Suffix(Any)));
        }

        var (hiInt, hiFrac) = Split(h);
        if (loInt == hiInt)
        {
            return RegexNode.Concat(Integer(loInt), Suffix(Between(loFrac, loExclusive, hiFrac, hiExclusive)));
        }

        var options = new List<RegexNode>
        {
            RegexNode.Concat(Integer(loInt), Suffix(AtLeast(loFrac, loExclusive))),
            RegexNode.Concat(Integer(hiInt), Suffix(AtMost(hiFrac, hiExclusive))),
        };
        if (hiInt - loInt > 1)
        {
            options.Add(RegexNode.Concat(IntegerRange.Build(loInt + 1, hiInt - 1), Suffix(Any)));
        }

        return RegexNode.Alternation(options);
    }

    /// <summary>The integer part and the fraction digits (no trailing zeros) of a non-negative decimal.</summary>
    private static (BigInteger Integer, string Fraction) Split(decimal value)
    {
        decimal whole = decimal.Truncate(value);
        string fraction = (value - whole).ToString(CultureInfo.InvariantCulture);
        int dot = fraction.IndexOf('.', StringComparison.Ordinal);
        return (new BigInteger(whole), dot < 0 ? "" : fraction[(dot + 1)..].TrimEnd('0'));
    }

    private static RegexNode Integer(BigInteger value) => RegexNode.Literal(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Fractions as digit strings D (value 0.D): whether D may be empty (no fraction part, value 0) and the language
    /// of the non-empty ones.
    /// </summary>
    private readonly record struct Fractions(bool Empty, RegexNode NonEmpty);

    private static Fractions Any => new(true, RegexNode.Plus(Digit));

    /// <summary>A fraction part after the integer part: nothing (when D may be empty) or '.' and a non-empty D.</summary>
    private static RegexNode Suffix(Fractions f)
    {
        var dotted = RegexNode.Concat(RegexNode.Byte((byte)'.'), f.NonEmpty);
        return f.Empty ? RegexNode.Optional(dotted) : dotted;
    }

    /// <summary>D with 0.D &gt;(=) 0.g.</summary>
    private static Fractions AtLeast(string g, bool exclusive)
    {
        if (g.Length == 0)
        {
            // Every D is >= 0; a strict bound needs a non-zero digit.
            return exclusive
                ? new(false, RegexNode.Concat(RegexNode.Star(Digit), Digits('1', '9'), RegexNode.Star(Digit)))
                : Any;
        }

        int d = g[0] - '0';
        var rest = AtLeast(g[1..], exclusive);
        var options = new List<RegexNode> { RegexNode.Concat(RegexNode.Byte((byte)g[0]), Tail(rest)) };
        if (d < 9)
        {
            options.Add(RegexNode.Concat(Digits((char)('0' + d + 1), '9'), RegexNode.Star(Digit)));
        }

        return new(false, RegexNode.Alternation(options));
    }

    /// <summary>D with 0.D &lt;(=) 0.h.</summary>
    private static Fractions AtMost(string h, bool exclusive)
    {
        if (h.Length == 0)
        {
            // 0.D <= 0 only for zeros; nothing is < 0.
            return exclusive ? new(false, RegexNode.Nothing) : new(true, RegexNode.Plus(Digits('0', '0')));
        }

        int d = h[0] - '0';
        var rest = AtMost(h[1..], exclusive);
        var options = new List<RegexNode> { RegexNode.Concat(RegexNode.Byte((byte)h[0]), Tail(rest)) };
        if (d > 0)
        {
            options.Add(RegexNode.Concat(Digits('0', (char)('0' + d - 1)), RegexNode.Star(Digit)));
        }

        // An empty D is 0, below any non-zero h.
        return new(true, RegexNode.Alternation(options));
    }

    /// <summary>D with 0.g &lt;(=) 0.D &lt;(=) 0.h, where 0.g &lt;= 0.h.</summary>
    private static Fractions Between(string g, bool gExclusive, string h, bool hExclusive)
    {
        if (g.Length == 0)
        {
            if (!gExclusive)
            {
                return AtMost(h, hExclusive);
            }

            if (h.Length == 0)
            {
                return new(false, RegexNode.Nothing);
            }
        }

        char g0 = g.Length == 0 ? '0' : g[0];
        char h0 = h[0];
        string gRest = g.Length == 0 ? "" : g[1..];
        var options = new List<RegexNode>();
        if (g0 == h0)
        {
            options.Add(RegexNode.Concat(RegexNode.Byte((byte)g0), Tail(Between(gRest, gExclusive, h[1..], hExclusive))));
        }
        else
        {
            options.Add(RegexNode.Concat(RegexNode.Byte((byte)g0), Tail(AtLeast(gRest, gExclusive))));
            options.Add(RegexNode.Concat(RegexNode.Byte((byte)h0), Tail(AtMost(h[1..], hExclusive))));
            if (h0 - g0 > 1)
            {
                options.Add(RegexNode.Concat(Digits((char)(g0 + 1), (char)(h0 - 1)), RegexNode.Star(Digit)));
            }
        }

        // An empty D is 0, outside: the lower bound is above 0 or an exclusive 0 (an inclusive 0 returned above).
        return new(false, RegexNode.Alternation(options));
    }

    /// <summary>The digits after a first one: possibly none, when the fractions admit an empty D.</summary>
    private static RegexNode Tail(Fractions f) => f.Empty ? RegexNode.Optional(f.NonEmpty) : f.NonEmpty;

    private static RegexNode Digit => Digits('0', '9');

    private static RegexNode Digits(char lo, char hi) => IntegerRange.Digits(lo, hi);
}
