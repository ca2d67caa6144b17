using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Constraints;
using SkDiffusion.Sampling.Internal;
using SkDiffusion.Sampling.Scoring;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// The score region on hand-built logits: scores, probabilities and entropies against closed forms, the EOS rules,
/// CFG, filtering, and the Gumbel-max draw's frequencies against softmax(logits / T).
/// </summary>
public sealed class PositionEvaluatorUnitTests
{
    // Eleven tokens: 0..6 plain, 7 pad, 8 EoT, 9 EOS, 10 mask.
    private const int Vocab = 11;
    private static readonly SpecialTokenIds Ids = new(mask: 10, eos: 9, eot: 8, pad: 7);

    // Special ids outside the vocabulary: every one of the eleven tokens is plain.
    private static readonly SpecialTokenIds FarIds = new(mask: 1000, eos: 1001, eot: 1002, pad: 1003);

    private static readonly LogitProcessorContext NoContext = new(0, 0, -1, 0, ReadOnlyMemory<long>.Empty);

    /// <summary>Logits whose softmax over the listed tokens is exactly the given probabilities; the mask is the likeliest token.</summary>
    private static float[] Logits(params (int Token, double P)[] probabilities)
    {
        var x = Enumerable.Repeat(float.NegativeInfinity, Vocab).ToArray();
        foreach (var (token, p) in probabilities)
        {
            x[token] = (float)Math.Log(p);
        }

        x[10] = 3; // the mask token would dominate if it were not removed
        return x;
    }

    private static PositionEvaluator.Pick Evaluate(SamplerOptions options, float[] logits, bool forbidEnd = false, SpecialTokenIds? ids = null, bool needEntropy = false, ulong seed = 1)
    {
        var evaluator = new PositionEvaluator(Vocab, options, ids ?? Ids, needEntropy);
        Assert.True(evaluator.Load(logits, default, 0, NoContext, null, null, forbidEnd));
        evaluator.Random.Reseed(seed);
        return evaluator.Choose(evaluator.Random);
    }

    /// <summary>p as the float logits give it (log p is rounded to float).</summary>
    private static double[] Softmax(float[] x, double scale = 1, params int[] exclude)
    {
        var e = x.Select((l, i) => exclude.Contains(i) || float.IsNegativeInfinity(l) ? 0 : Math.Exp(l * scale)).ToArray();
        double z = e.Sum();
        return [.. e.Select(v => v / z)];
    }

    [Fact]
    public void Confidence_is_the_argmax_probability_with_the_mask_removed()
    {
        var x = Logits((0, 0.5), (1, 0.3), (2, 0.2));
        var pick = Evaluate(new SamplerOptions(), x);
        var p = Softmax(x, 1, 10);
        Assert.Equal(0, pick.Token);
        Assert.Equal(p[0], pick.Score, 12);
        Assert.Equal(p[0], pick.Probability, 12);
        Assert.Equal(0, pick.Entropy);
    }

    [Fact]
    public void Margin_and_negative_entropy_come_from_the_model_distribution()
    {
        var x = Logits((3, 0.2), (4, 0.5), (5, 0.3));
        var p = Softmax(x, 1, 10);
        Assert.Equal(p[4] - p[5], Evaluate(new SamplerOptions { Score = ScoreKind.Margin }, x).Score, 12);
        double sumPLogP = p.Where(v => v > 0).Sum(v => v * Math.Log(v));
        var negEntropy = Evaluate(new SamplerOptions { Score = ScoreKind.NegativeEntropy }, x);
        Assert.Equal(sumPLogP, negEntropy.Score, 12);
        Assert.Equal(-sumPLogP, negEntropy.Entropy, 12);
        Assert.Equal(-sumPLogP, Evaluate(new SamplerOptions(), x, needEntropy: true).Entropy, 12);
    }

    [Fact]
    public void Margin_of_a_tie_is_zero()
    {
        var x = Logits((1, 0.4), (2, 0.4), (3, 0.2));
        var pick = Evaluate(new SamplerOptions { Score = ScoreKind.Margin }, x);
        Assert.Equal(1, pick.Token); // ties to the first index
        Assert.Equal(0, pick.Score, 12);
    }

    [Fact]
    public void Logits_suppression_removes_eos_only()
    {
        var x = Logits((9, 0.5), (8, 0.3), (0, 0.2));
        var pick = Evaluate(new SamplerOptions { EosSuppression = EosSuppression.Logits }, x);
        var p = Softmax(x, 1, 9, 10);
        Assert.Equal(8, pick.Token);
        Assert.Equal(p[8], pick.Score, 12);
        Assert.Equal(p[8], pick.Probability, 12);
    }

    [Fact]
    public void Confidence_suppression_renormalises_without_eos_and_eot()
    {
        // LLaDA's confidence_eos_eot_inf: p(1) = 0.5 beside p(EOS) = 0.45 scores 0.5 / 0.55, ahead of a plain 0.6.
        var x = Logits((1, 0.5), (9, 0.45), (2, 0.05));
        var options = new SamplerOptions { EosSuppression = EosSuppression.Confidence };
        var pick = Evaluate(options, x);
        var p = Softmax(x, 1, 10);
        Assert.Equal(1, pick.Token);
        Assert.Equal(p[1] / (p[1] + p[2]), pick.Score, 12);
        Assert.True(pick.Score > 0.6);
        Assert.Equal(p[1], pick.Probability, 12);

        Assert.Equal((p[1] - p[2]) / (p[1] + p[2]), Evaluate(new SamplerOptions { EosSuppression = EosSuppression.Confidence, Score = ScoreKind.Margin }, x).Score, 12);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(8)]
    public void Confidence_suppression_scores_an_end_pick_zero(int end)
    {
        var pick = Evaluate(new SamplerOptions { EosSuppression = EosSuppression.Confidence }, Logits((end, 0.6), (1, 0.4)));
        Assert.Equal(end, pick.Token);
        Assert.Equal(0, pick.Score);
        Assert.True(pick.Probability > 0.5);
    }

    [Fact]
    public void Forbidding_the_end_removes_eos_eot_and_pad()
    {
        var x = Logits((9, 0.4), (7, 0.3), (8, 0.2), (0, 0.1));
        var pick = Evaluate(new SamplerOptions(), x, forbidEnd: true);
        Assert.Equal(0, pick.Token);
        Assert.Equal(1.0, pick.Score, 12);

        var evaluator = new PositionEvaluator(Vocab, new SamplerOptions(), Ids);
        Assert.False(evaluator.Load(Logits((9, 0.5), (8, 0.5)), default, 0, NoContext, null, null, forbidEnd: true));
        Assert.True(evaluator.Load(Logits((9, 0.5), (8, 0.5)), default, 0, NoContext, null, null, forbidEnd: false));
    }

    [Fact]
    public void Cfg_mixes_u_plus_scale_plus_one_times_c_minus_u()
    {
        // Real logits are finite (−∞ − −∞ would be NaN); −100 is negligible beside 4 and −1.
        var cond = Enumerable.Repeat(-100f, Vocab).ToArray();
        var uncond = (float[])cond.Clone();
        (cond[0], cond[1], uncond[0], uncond[1]) = (2f, 0f, 0f, 1f);
        var evaluator = new PositionEvaluator(Vocab, new SamplerOptions(), FarIds);
        Assert.True(evaluator.Load(cond, uncond, 1.0, NoContext, null, null, false));
        Assert.Equal(4f, evaluator.Processed[0]);
        Assert.Equal(-1f, evaluator.Processed[1]);
        var pick = evaluator.Choose(evaluator.Random);
        Assert.Equal(Math.Exp(4) / (Math.Exp(4) + Math.Exp(-1)), pick.Score, 12);

        Assert.True(evaluator.Load(cond, default, 1.0, NoContext, null, null, false));
        Assert.Equal(2f, evaluator.Processed[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(8)]
    public void Gumbel_max_draws_tokens_with_softmax_of_logits_over_temperature(int first)
    {
        // Tokens first..first+2 (the low or high half of the vectorised part of the row, or its scalar tail) with logits 2, 0, -2 at T = 2:
        // softmax(l / T) = 0.665, 0.245, 0.090. A flipped noise sign gives 0.70, 0.24, 0.05; T·l gives 0.98, 0.02, 0.
        var x = Enumerable.Repeat(float.NegativeInfinity, Vocab).ToArray();
        (x[first], x[first + 1], x[first + 2]) = (2f, 0f, -2f);
        var options = new SamplerOptions { Temperature = 2, ScoreDistribution = ScoreDistribution.Sampling };
        var evaluator = new PositionEvaluator(Vocab, options, FarIds);
        Assert.True(evaluator.Load(x, default, 0, NoContext, null, null, false));
        const int draws = 4000;
        var counts = new int[3];
        var expected = Softmax(x, 0.5);
        for (int d = 0; d < draws; d++)
        {
            evaluator.Random.Reseed((ulong)d);
            var pick = evaluator.Choose(evaluator.Random);
            counts[pick.Token - first]++;

            // The sampling score is the tempered probability; the probability is the model's (T = 1).
            Assert.Equal(expected[pick.Token], pick.Score, 12);
            Assert.Equal(Softmax(x)[pick.Token], pick.Probability, 12);
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(counts[i] / (double)draws, expected[first + i] - 0.02, expected[first + i] + 0.02);
        }
    }

    [Fact]
    public void Gumbel_max_on_a_vocabulary_shorter_than_a_vector_draws_token_zero_at_its_rate()
    {
        // Five tokens, none in a vectorised block; token 0 is live but not the argmax: logits 0, 2, -2 at T = 2 give
        // softmax(l / T) = 0.245, 0.665, 0.090.
        float[] x = [0f, 2f, -2f, float.NegativeInfinity, float.NegativeInfinity];
        var evaluator = new PositionEvaluator(x.Length, new SamplerOptions { Temperature = 2 }, FarIds);
        Assert.True(evaluator.Load(x, default, 0, NoContext, null, null, false));
        const int draws = 4000;
        var counts = new int[3];
        for (int d = 0; d < draws; d++)
        {
            evaluator.Random.Reseed((ulong)d);
            counts[evaluator.Choose(evaluator.Random).Token]++;
        }

        var expected = Softmax(x, 0.5);
        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(counts[i] / (double)draws, expected[i] - 0.02, expected[i] + 0.02);
        }
    }

    [Fact]
    public void Sampling_margin_and_entropy_use_the_tempered_distribution()
    {
        var x = Logits((0, 0.6), (1, 0.3), (2, 0.1));
        var tempered = Softmax(x, 0.5, 10);
        var sorted = tempered.OrderDescending().ToArray();
        var margin = Evaluate(new SamplerOptions { Temperature = 2, Score = ScoreKind.Margin, ScoreDistribution = ScoreDistribution.Sampling }, x);
        Assert.Equal(sorted[0] - sorted[1], margin.Score, 12);
        var entropy = Evaluate(new SamplerOptions { Temperature = 2, Score = ScoreKind.NegativeEntropy, ScoreDistribution = ScoreDistribution.Sampling }, x);
        Assert.Equal(tempered.Where(v => v > 0).Sum(v => v * Math.Log(v)), entropy.Score, 12);
        Assert.Equal(-entropy.Score, entropy.Entropy, 12);
    }

    [Fact]
    public void Top_k_renormalises_the_sampling_score_but_not_the_model_score()
    {
        var x = Logits((0, 0.5), (1, 0.3), (2, 0.2));
        var p = Softmax(x, 1, 10);
        var sampling = Evaluate(new SamplerOptions { TopK = 2, ScoreDistribution = ScoreDistribution.Sampling }, x);
        Assert.Equal(p[0] / (p[0] + p[1]), sampling.Score, 12);
        var model = Evaluate(new SamplerOptions { TopK = 2 }, x);
        Assert.Equal(p[0], model.Score, 12);
        var nucleus = Evaluate(new SamplerOptions { TopP = 0.5, ScoreDistribution = ScoreDistribution.Sampling }, x);
        Assert.Equal(1.0, nucleus.Score, 12);
    }

    [Fact]
    public void Confidence_suppression_applies_to_the_sampling_distribution_too()
    {
        var x = Logits((1, 0.5), (9, 0.3), (8, 0.1), (2, 0.1));
        var withoutEnd = Softmax(x, 0.5, 8, 9, 10);
        var options = new SamplerOptions { EosSuppression = EosSuppression.Confidence, Temperature = 2, ScoreDistribution = ScoreDistribution.Sampling };
        var seen = new HashSet<int>();
        for (ulong seed = 0; seed < 200; seed++)
        {
            var pick = Evaluate(options, x, seed: seed);
            seen.Add(pick.Token);
            Assert.Equal(pick.Token is 8 or 9 ? 0 : withoutEnd[pick.Token], pick.Score, 12);
        }

        Assert.Superset(new HashSet<int> { 1, 2, 9 }, seen);
    }

    [Fact]
    public void Random_score_is_a_uniform_draw_of_the_position_stream()
    {
        var x = Logits((0, 0.5), (1, 0.5));
        var a = Evaluate(new SamplerOptions { Score = ScoreKind.Random }, x, seed: 5);
        var b = Evaluate(new SamplerOptions { Score = ScoreKind.Random }, x, seed: 5);
        var c = Evaluate(new SamplerOptions { Score = ScoreKind.Random }, x, seed: 6);
        Assert.Equal(a.Score, b.Score);
        Assert.NotEqual(a.Score, c.Score);
        Assert.InRange(a.Score, double.Epsilon, 1 - 1e-16);
        var rng = new Xoshiro256StarStar(5);
        Assert.Equal(rng.NextOpenUnit(), a.Score);
    }

    [Fact]
    public void Processors_then_slot_constraints_shape_the_logits()
    {
        var x = Logits((0, 0.5), (1, 0.3), (2, 0.2));
        var options = new SamplerOptions();
        options.LogitProcessors.Add(new DeniedTokensProcessor([0]));
        var evaluator = new PositionEvaluator(Vocab, options, Ids);
        Assert.True(evaluator.Load(x, default, 0, NoContext, null, null, false));
        Assert.Equal(1, evaluator.Choose(evaluator.Random).Token);

        var plain = new PositionEvaluator(Vocab, new SamplerOptions(), Ids);
        Assert.True(plain.Load(x, default, 0, NoContext, new AllowedTokensProcessor([2]), null, false));
        Assert.Equal(2, plain.Choose(plain.Random).Token);
        Assert.True(plain.Load(x, default, 0, NoContext, null, new DeniedTokensProcessor([0, 1]), false));
        Assert.Equal(2, plain.Choose(plain.Random).Token);
        Assert.False(plain.Load(x, default, 0, NoContext, new AllowedTokensProcessor([1]), new DeniedTokensProcessor([1]), false));
    }

    [Fact]
    public void Special_ids_at_or_beyond_the_vocabulary_are_left_alone()
    {
        // Ids equal to the row length must not be written (an off-by-one bound would throw).
        var edge = new SpecialTokenIds(mask: Vocab, eos: Vocab + 1, eot: Vocab + 2, pad: Vocab + 1);
        var x = Logits((0, 0.5), (1, 0.5));
        x[10] = float.NegativeInfinity;
        var pick = Evaluate(new SamplerOptions { EosSuppression = EosSuppression.Confidence }, x, forbidEnd: true, ids: edge);
        Assert.Equal(0, pick.Token);
        Assert.Equal(0.5, pick.Score, 6);
    }
}
