using System.Globalization;
using System.Text;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Tests.Grammars;

public sealed class DecimalRangeTests
{
    private static readonly string[] Fractions = BuildFractions();

    [Theory]
    [InlineData("0", false, "1", false)]
    [InlineData("0.25", false, "0.5", true)]
    [InlineData("-1.5", true, "2.75", false)]
    [InlineData("-3.05", false, "-0.5", false)]
    [InlineData("1.5", false, "1.55", false)]
    [InlineData("1.5", true, "1.505", true)]
    [InlineData("0", true, "0.1", false)]
    [InlineData("-0.1", false, "0", true)]
    [InlineData("7", false, "7", false)]
    [InlineData("2.5", false, null, false)]
    [InlineData(null, false, "-2.05", true)]
    [InlineData("-12.3", true, null, false)]
    [InlineData(null, false, "0", false)]
    [InlineData("0", true, null, false)]
    [InlineData("-19", false, "19.999", false)]
    public void Range_language_is_exact_over_a_window(string? min, bool minExclusive, string? max, bool maxExclusive)
    {
        decimal? lo = min is null ? null : decimal.Parse(min, CultureInfo.InvariantCulture);
        decimal? hi = max is null ? null : decimal.Parse(max, CultureInfo.InvariantCulture);
        var dfa = Dfa.Build(DecimalRange.Build(lo, minExclusive, hi, maxExclusive), 20000);
        int checkedInside = 0;
        for (int i = -25; i <= 25; i++)
        {
            foreach (string f in Fractions)
            {
                foreach (string sign in i == 0 ? new[] { "", "-" } : new[] { "" })
                {
                    string text = sign + i.ToString(CultureInfo.InvariantCulture) + f;
                    decimal v = decimal.Parse(text, CultureInfo.InvariantCulture);
                    bool negativeZero = text[0] == '-' && v == 0;
                    bool expected = !negativeZero
                        && (lo is null || (minExclusive ? v > lo : v >= lo))
                        && (hi is null || (maxExclusive ? v < hi : v <= hi));
                    checkedInside += expected ? 1 : 0;
                    Assert.True(expected == dfa.Matches(Encoding.ASCII.GetBytes(text)), $"{(minExclusive ? "(" : "[")}{min}, {max}{(maxExclusive ? ")" : "]")} value {text}");
                }
            }
        }

        Assert.True(checkedInside > 0, "the window holds no number of the range");
        foreach (string bad in new[] { "", "-", "1.", ".5", "01", "00.5", "+1", "1e0", "1.5E1", " 1" })
        {
            Assert.False(dfa.Matches(Encoding.ASCII.GetBytes(bad)), $"'{bad}' accepted");
        }
    }

    private static string[] BuildFractions()
    {
        var list = new List<string> { "" };
        for (int digits = 1; digits <= 3; digits++)
        {
            int count = (int)Math.Pow(10, digits);
            for (int k = 0; k < count; k++)
            {
                list.Add("." + k.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0'));
            }
        }

        return [.. list];
    }
}
