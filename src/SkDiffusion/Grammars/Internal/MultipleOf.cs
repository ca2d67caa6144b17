using System.Globalization;
using System.Numerics;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// JSON Schema's <c>multipleOf</c>: the words of a number language (digits, an optional <c>-</c> and <c>.</c>, no
/// exponent) whose value is a multiple of a positive decimal q. Divisibility of a digit string is a remainder carried
/// digit by digit, so the language is the product of the number's automaton with a remainder counter, embedded as a
/// <see cref="ByteGraph"/>.
/// </summary>
/// <remarks>
/// With q = a / 10^m (a a whole number, m the fraction digits q needs), a number D / 10^f (D its digits with the point
/// removed, f its fraction digits) is a multiple of q when f &lt;= m and D * 10^(m - f) is divisible by a. Numbers
/// with more fraction digits than q (<c>1.50</c> for 0.5) and exponents are left out: every accepted word is a
/// multiple, and every multiple has a spelling that is accepted.
/// </remarks>
internal static class MultipleOf
{
    /// <summary>The largest whole-number part a of q = a / 10^m; the automaton counts remainders modulo a.</summary>
    public const int MaxDivisor = 1_000_000;

    /// <summary>The words of <paramref name="numbers"/> whose value is a multiple of <paramref name="q"/>.</summary>
    /// <exception cref="GrammarException">q is not positive, too fine or too large, no word is a multiple, or the
    /// product needs more than <paramref name="maxStates"/> states.</exception>
    public static RegexNode Restrict(RegexNode numbers, decimal q, int maxStates, string ptr)
    {
        if (q <= 0)
        {
            throw new GrammarException($"'multipleOf' must be greater than 0, not {q.ToString(CultureInfo.InvariantCulture)}.", ptr);
        }

        var (a, m) = Split(q, ptr);
        var dfa = Dfa.Build(numbers, maxStates);
        var ids = new Dictionary<(int State, int Remainder, int Fraction, bool Point), int>();
        var queue = new List<(int State, int Remainder, int Fraction, bool Point)>();
        var moves = new Dictionary<(int From, int To), ByteSet>();
        int Id((int, int, int, bool) key)
        {
            if (!ids.TryGetValue(key, out int id))
            {
                if (ids.Count >= maxStates)
                {
                    throw new GrammarException($"'multipleOf' {q.ToString(CultureInfo.InvariantCulture)} needs more than {maxStates:N0} automaton states with this range (GrammarOptions.MaxStates): narrow 'minimum'/'maximum' or use a smaller multiple.", ptr);
                }

                id = ids.Count;
                ids[key] = id;
                queue.Add(key);
            }

            return id;
        }

        Id((dfa.Start, 0, 0, false));
        for (int i = 0; i < queue.Count; i++)
        {
            var (state, remainder, fraction, point) = queue[i];
            for (int b = 0; b < 256; b++)
            {
                int next = dfa.Next(state, (byte)b);
                if (next < 0 || Step(remainder, fraction, point, (byte)b, a, m) is not { } after)
                {
                    continue;
                }

                int to = Id((next, after.Remainder, after.Fraction, after.Point));
                var key = (i, to);
                moves[key] = moves.TryGetValue(key, out var set) ? set.Union(ByteSet.Of((byte)b)) : ByteSet.Of((byte)b);
            }
        }

        var accepting = queue.Select(k => dfa.Accepting[k.State] && Divides(k.Remainder, k.Fraction, a, m)).ToArray();
        if (!accepting.Any(x => x))
        {
            throw new GrammarException($"no value allowed here is a multiple of {q.ToString(CultureInfo.InvariantCulture)}: widen 'minimum'/'maximum' or change 'multipleOf'.", ptr);
        }

        return RegexNode.FromGraph(new ByteGraph(queue.Count, 0, accepting, [.. moves.Select(kv => (kv.Key.From, kv.Value, kv.Key.To))]));
    }

    /// <summary>q as a / 10^m with m as small as it can be.</summary>
    private static (int A, int M) Split(decimal q, string ptr)
    {
        int m = 0;
        decimal scaled = q;
        while (decimal.Truncate(scaled) != scaled)
        {
            scaled *= 10;
            m++;
        }

        if (scaled > MaxDivisor)
        {
            throw new GrammarException($"'multipleOf' {q.ToString(CultureInfo.InvariantCulture)} is too large or has too many significant digits: its digits without the point must be at most {MaxDivisor:N0}.", ptr);
        }

        return ((int)scaled, m);
    }

    /// <summary>The counter after one byte, or null where the byte leaves the language (an exponent, a fraction digit
    /// beyond m).</summary>
    private static (int Remainder, int Fraction, bool Point)? Step(int remainder, int fraction, bool point, byte b, int a, int m)
    {
        if (b == (byte)'-')
        {
            return (remainder, fraction, point);
        }

        if (b == (byte)'.')
        {
            return point ? null : (remainder, fraction, true);
        }

        if (b is < (byte)'0' or > (byte)'9')
        {
            return null;
        }

        if (point && fraction == m)
        {
            return null;
        }

        return ((int)((((long)remainder * 10) + (b - '0')) % a), point ? fraction + 1 : fraction, point);
    }

    private static bool Divides(int remainder, int fraction, int a, int m) =>
        BigInteger.Remainder(remainder * BigInteger.Pow(10, m - fraction), a).IsZero;
}
