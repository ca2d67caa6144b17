using System.Globalization;
using System.Numerics;
using System.Text;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Tests.Grammars;

public sealed class IntegerRangeTests
{
    [Theory]
    [InlineData(0L, 120L)]
    [InlineData(-40L, 40L)]
    [InlineData(-1000L, -7L)]
    [InlineData(13L, 987L)]
    [InlineData(1L, 1L)]
    [InlineData(-5L, null)]
    [InlineData(null, 250L)]
    [InlineData(99L, null)]
    [InlineData(null, -100L)]
    [InlineData(0L, 0L)]
    public void Range_language_is_exact_over_a_window(long? min, long? max)
    {
        var dfa = Dfa.Build(IntegerRange.Build(min is null ? null : new BigInteger(min.Value), max is null ? null : new BigInteger(max.Value)), 5000);
        for (int v = -1300; v <= 1300; v++)
        {
            bool expected = (min is null || v >= min) && (max is null || v <= max);
            Assert.True(expected == dfa.Matches(Encoding.ASCII.GetBytes(v.ToString(CultureInfo.InvariantCulture))), $"[{min}, {max}] value {v}");
        }

        foreach (string bad in new[] { "-0", "007", "00", "", "-", "+5", "1 " })
        {
            Assert.False(dfa.Matches(Encoding.ASCII.GetBytes(bad)), $"'{bad}' accepted by [{min}, {max}]");
        }
    }
}
