using SkDiffusion.Sampling.Internal;

namespace SkDiffusion.Tests.Sampling;

/// <summary><see cref="LogitStats"/> against a direct double-precision computation, on rows that use both the vectorised part and the tail.</summary>
public sealed class LogitStatsTests
{
    private static void AssertMatches(float[] x, double scale)
    {
        var live = x.Where(l => !float.IsNegativeInfinity(l)).Select(l => l * scale).ToArray();
        double max = live.Max();
        double z = live.Sum(l => Math.Exp(l - max));
        var p = live.Select(l => Math.Exp(l - max) / z).OrderDescending().ToArray();
        var stats = LogitStats.Compute(x, scale, needTop2: true, needEntropy: true);
        Assert.Equal(max, stats.Max, 12);
        Assert.Equal(max + Math.Log(z), stats.LogSumExp, 12);
        Assert.Equal(p[0], stats.Top1Probability, 12);
        Assert.Equal(p.Length > 1 ? p[1] : 0, stats.Top2Probability, 12);
        Assert.Equal(p.Sum(v => v * Math.Log(v)), stats.SumPLogP, 12);
        Assert.Equal(scale, stats.Scale);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void Statistics_match_a_direct_computation(double scale)
    {
        // Eleven entries: eight in the vectorised part, three in the tail; forbidden entries in both.
        AssertMatches([0.3f, -1.2f, float.NegativeInfinity, 2.5f, 0f, 1.1f, -0.4f, 0.9f, float.NegativeInfinity, 1.7f, -2f], scale);
        AssertMatches([0.3f, -1.2f, 0.1f, -0.5f, 0f, 1.1f, -0.4f, 0.9f, 2.2f, float.NegativeInfinity, 3f], scale);
        AssertMatches([1.5f, float.NegativeInfinity, 0.5f], scale);
    }

    [Fact]
    public void The_second_probability_of_a_tie_is_the_first()
    {
        var stats = LogitStats.Compute([1f, 0f, 1f, -1f], 1, needTop2: true, needEntropy: false);
        Assert.Equal(stats.Top1Probability, stats.Top2Probability, 15);
        var single = LogitStats.Compute([1f, float.NegativeInfinity, float.NegativeInfinity], 1, needTop2: true, needEntropy: true);
        Assert.Equal(1, single.Top1Probability, 15);
        Assert.Equal(0, single.Top2Probability);
        Assert.Equal(0, single.SumPLogP, 15);
    }

    [Fact]
    public void Without_top2_the_second_probability_is_zero()
    {
        var stats = LogitStats.Compute([1f, 0.5f, 0f], 1, needTop2: false, needEntropy: false);
        Assert.Equal(0, stats.Top2Probability);
        Assert.True(stats.Top1Probability > 0.4);
    }

    [Fact]
    public void Far_below_entries_count_as_zero_and_an_all_forbidden_row_is_negative_infinity()
    {
        var x = new float[9];
        Array.Fill(x, -5000f);
        x[4] = 0f;
        var stats = LogitStats.Compute(x, 1, needTop2: true, needEntropy: true);
        Assert.Equal(0, stats.LogSumExp, 12);
        Assert.Equal(1, stats.Top1Probability, 12);
        Assert.Equal(0, stats.SumPLogP, 9);

        var none = LogitStats.Compute(Enumerable.Repeat(float.NegativeInfinity, 10).ToArray(), 2, needTop2: true, needEntropy: true);
        Assert.Equal(double.NegativeInfinity, none.Max);
        Assert.Equal(double.NegativeInfinity, none.LogSumExp);
        Assert.Equal(0, none.Top1Probability);
        Assert.Equal(2, none.Scale);
    }

    [Fact]
    public void Entries_more_than_700_below_the_maximum_count_as_exactly_zero()
    {
        // The floor keeps Vector256.Exp off its subnormal slow path (Benchmarks --grammar, "softmax statistics"): such a
        // term (under 1e-304) adds nothing to the maximum's 1, and now nothing to Σ p log p either.
        var x = new float[16];
        Array.Fill(x, -710f);
        x[3] = 0f;
        x[12] = float.NegativeInfinity;
        var stats = LogitStats.Compute(x, 1, needTop2: true, needEntropy: true);
        Assert.Equal(0, stats.LogSumExp);
        Assert.Equal(1, stats.Top1Probability);
        Assert.Equal(0, stats.SumPLogP);
        var near = LogitStats.Compute([0f, -690f, -690f, -690f, -690f, -690f, -690f, -690f], 1, needTop2: false, needEntropy: true);
        Assert.True(near.SumPLogP < 0, "a term 690 below the maximum still counts");
    }
}
