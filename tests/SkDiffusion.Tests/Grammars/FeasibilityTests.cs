using SkDiffusion.Grammars;

namespace SkDiffusion.Tests.Grammars;

public sealed class FeasibilityTests
{
    private static readonly ByteVocabulary Tiny = GrammarTestKit.Tiny;
    private const int Mask = GrammarTestKit.TinyMask;

    private static bool BruteFeasible(TokenGrammar g, int[] region)
    {
        int[] masked = [.. Enumerable.Range(0, region.Length).Where(i => region[i] == Mask)];
        int combos = (int)Math.Pow(5, masked.Length);
        var fill = (int[])region.Clone();
        for (int c = 0; c < combos; c++)
        {
            int x = c;
            foreach (int i in masked)
            {
                fill[i] = x % 5;
                x /= 5;
            }

            if (g.Accepts(fill))
            {
                return true;
            }
        }

        return false;
    }

    [Theory]
    [InlineData("(ab)+a?", 5)]
    [InlineData("a*b{2}", 4)]
    [InlineData("(a|bb)(ab|ba)*", 5)]
    public void Sets_match_brute_force_enumeration_on_small_canvases(string pattern, int length)
    {
        var g = TokenGrammar.FromRegex(pattern, Tiny);
        var pass = g.CreateFeasibility(length);
        var rng = new Random(length * 31 + pattern.Length);
        int feasibleSeen = 0, infeasibleSeen = 0;
        for (int n = 0; n < 150; n++)
        {
            var region = new int[length];
            for (int i = 0; i < length; i++)
            {
                region[i] = rng.NextDouble() < 0.6 ? Mask : rng.Next(5);
            }

            bool expected = BruteFeasible(g, region);
            Assert.Equal(expected, pass.Compute(region, Mask));
            feasibleSeen += expected ? 1 : 0;
            infeasibleSeen += expected ? 0 : 1;
            if (!expected)
            {
                continue;
            }

            for (int i = 0; i < length; i++)
            {
                if (region[i] != Mask)
                {
                    continue;
                }

                var logits = new float[6];
                pass.MaskLogits(i, logits);
                for (int t = 0; t < 6; t++)
                {
                    var trial = (int[])region.Clone();
                    trial[i] = t;
                    bool allowed = t != Mask && BruteFeasible(g, trial);
                    Assert.True(allowed == pass.IsAllowed(i, t), $"{pattern} region [{string.Join(",", region)}] position {i} token {t}");
                    Assert.Equal(allowed, !float.IsNegativeInfinity(logits[t]));
                }
            }
        }

        Assert.True(feasibleSeen > 5 && infeasibleSeen > 5, $"{feasibleSeen} feasible, {infeasibleSeen} infeasible");
    }

    [Fact]
    public void A_region_shorter_than_the_shortest_word_is_infeasible()
    {
        var g = TokenGrammar.FromRegex("abab(ab)*", Tiny);
        Assert.Equal(2, g.MinimumTokens);
        Assert.False(g.CreateFeasibility(1).Compute([Mask], Mask));
        Assert.True(g.CreateFeasibility(2).Compute([Mask, Mask], Mask));
    }

    [Fact]
    public void Masking_keeps_allowed_logits_unchanged()
    {
        var g = TokenGrammar.FromRegex("ab+", Tiny);
        var pass = g.CreateFeasibility(3);
        Assert.True(pass.Compute([Mask, Mask, Mask], Mask));
        float[] logits = [1, 2, 3, 4, 5, 6];
        pass.MaskLogits(0, logits);
        Assert.Equal(new[] { 1f, float.NegativeInfinity, 3f, float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity }, logits);
        Assert.Throws<ArgumentException>(() => pass.Compute([Mask], Mask));
    }
}
