using System.Globalization;
using System.Numerics;
using System.Text.Json;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The <c>"type": "integer"</c> and <c>"type": "number"</c> parts of a JSON schema: <c>minimum</c>, <c>maximum</c>,
/// <c>exclusiveMinimum</c> and <c>exclusiveMaximum</c> as ranges of digit strings, and <c>multipleOf</c> as a remainder
/// counter over them (<see cref="MultipleOf"/>).
/// </summary>
internal static class JsonNumberSchema
{
    /// <summary>The bound an integer without <c>minimum</c>/<c>maximum</c> takes on that side: nine digits.</summary>
    internal const int UnboundedIntegerLimit = 999_999_999;

    public static RegexNode Integer(JsonElement s, string ptr, int maxStates) =>
        WithMultipleOf(s, ptr, maxStates, BoundedIntegers(s, ptr));

    public static RegexNode Number(JsonElement s, string ptr, int maxStates) =>
        WithMultipleOf(s, ptr, maxStates, BoundedNumbers(s, ptr));

    private static RegexNode WithMultipleOf(JsonElement s, string ptr, int maxStates, RegexNode numbers) =>
        Decimal(s, ptr, "multipleOf") is { } q ? MultipleOf.Restrict(numbers, q, maxStates, JsonPointer.Child(ptr, "multipleOf")) : numbers;

    private static RegexNode BoundedIntegers(JsonElement s, string ptr)
    {
        BigInteger? min = Bound(s, ptr, "minimum", up: true, 0);
        BigInteger? exMin = Bound(s, ptr, "exclusiveMinimum", up: true, 1);
        BigInteger? max = Bound(s, ptr, "maximum", up: false, 0);
        BigInteger? exMax = Bound(s, ptr, "exclusiveMaximum", up: false, -1);
        BigInteger? lo = min is null ? exMin : exMin is null ? min : BigInteger.Max(min.Value, exMin.Value);
        BigInteger? hi = max is null ? exMax : exMax is null ? max : BigInteger.Min(max.Value, exMax.Value);
        if (lo is { } a && hi is { } b && a > b)
        {
            throw new GrammarException($"the integer range is empty: the lower bound {a} is above the upper bound {b}.", LowerBound(s, ptr));
        }

        // An unbounded side stops at nine digits, inside the range of .NET's int that typed results deserialize into
        // (a model left free writes digit strings that overflow it). Explicit bounds lift this.
        return IntegerRange.Build(lo ?? -UnboundedIntegerLimit, hi ?? UnboundedIntegerLimit);
    }

    /// <summary>An integer bound: the keyword's number rounded inward (up for lower bounds), plus <paramref name="shift"/>.</summary>
    private static BigInteger? Bound(JsonElement s, string ptr, string keyword, bool up, int shift)
    {
        if (Decimal(s, ptr, keyword) is not { } d)
        {
            return null;
        }

        bool whole = decimal.Truncate(d) == d;
        decimal r = up ? decimal.Ceiling(d) : decimal.Floor(d);
        // An exclusive bound on a fractional value is already strict after rounding inward.
        return new BigInteger(r) + (whole ? shift : 0);
    }

    private static RegexNode BoundedNumbers(JsonElement s, string ptr)
    {
        var (min, minExclusive) = Tighter(Decimal(s, ptr, "minimum"), Decimal(s, ptr, "exclusiveMinimum"), lower: true);
        var (max, maxExclusive) = Tighter(Decimal(s, ptr, "maximum"), Decimal(s, ptr, "exclusiveMaximum"), lower: false);
        if (min is null && max is null)
        {
            return JsonLexicon.Number;
        }

        if (min is { } a && max is { } b && (a > b || (a == b && (minExclusive || maxExclusive))))
        {
            throw new GrammarException($"the number range is empty: no number lies between the lower bound {a} and the upper bound {b}.", LowerBound(s, ptr));
        }

        // A bounded number is spelled without an exponent: a digit string compares with a bound digit by digit.
        return DecimalRange.Build(min, minExclusive, max, maxExclusive);
    }

    /// <summary>The pointer of the lower bound keyword, for an empty range.</summary>
    private static string LowerBound(JsonElement s, string ptr) =>
        JsonPointer.Child(ptr, s.TryGetProperty("minimum", out _) ? "minimum" : "exclusiveMinimum");

    /// <summary>The tighter of an inclusive and an exclusive bound (the exclusive one on a tie).</summary>
    private static (decimal? Value, bool Exclusive) Tighter(decimal? inclusive, decimal? exclusive, bool lower)
    {
        if (inclusive is not { } i)
        {
            return (exclusive, exclusive is not null);
        }

        if (exclusive is not { } e)
        {
            return (i, false);
        }

        bool exclusiveWins = lower ? e >= i : e <= i;
        return exclusiveWins ? (e, true) : (i, false);
    }

    /// <summary>A bound keyword's number as a decimal (28 significant digits), or null when the keyword is absent.</summary>
    private static decimal? Decimal(JsonElement s, string ptr, string keyword)
    {
        if (!s.TryGetProperty(keyword, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            throw new GrammarException($"'{keyword}' must be a number, not {v.GetRawText()}.", JsonPointer.Child(ptr, keyword));
        }

        if (!decimal.TryParse(v.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d))
        {
            throw new GrammarException($"'{keyword}' is {v.GetRawText()}, outside what a number bound may be here (a decimal of at most 28 significant digits, magnitude below 7.9e28).", JsonPointer.Child(ptr, keyword));
        }

        return d;
    }
}
