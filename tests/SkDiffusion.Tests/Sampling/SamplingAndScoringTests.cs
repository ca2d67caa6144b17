using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Scoring;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class SamplingAndScoringTests
{
    private static float Hash(int p, int v) => (float)(((p * 7919) + (v * 104729)) % 1009) / 100f;

    [Fact]
    public async Task GreedyEqualsArgmax()
    {
        var denoiser = ByPosition((p, logits) =>
        {
            for (int v = 0; v < logits.Length; v++)
            {
                logits[v] = Hash(p, v);
            }
        });
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 12), new SamplerOptions { Steps = 5, TruncateAtEos = false });
        for (int i = 0; i < 12; i++)
        {
            int p = Prompt.Length + i;
            var expected = Enumerable.Range(0, SamplingTestIds.Vocab - 1).MaxBy(v => Hash(p, v));
            Assert.Equal(expected, result.Sequences[0].Tokens[p]);
        }
    }

    [Fact]
    public async Task GreedyNeverProducesTheMaskToken()
    {
        var denoiser = ByPosition((p, logits) => logits[SamplingTestIds.Mask] = 10);
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 2 });
        Assert.DoesNotContain(SamplingTestIds.Mask, result.Sequences[0].Tokens);
    }

    private static async Task<int[]> SampleFlat(ulong seed, double temperature = 1.0, int? topK = null, double? topP = null, Action<int, Span<float>>? logits = null)
    {
        var denoiser = ByPosition(logits ?? ((p, l) => l.Clear()));
        var options = new SamplerOptions { Steps = 4, Temperature = temperature, Seed = seed, TopK = topK, TopP = topP, TruncateAtEos = false };
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 32), options);
        return [.. result.Sequences[0].Tokens.Skip(Prompt.Length)];
    }

    [Fact]
    public async Task SeededSamplingIsDeterministicAndSeedDependent()
    {
        var a = await SampleFlat(1);
        var b = await SampleFlat(1);
        var c = await SampleFlat(2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(a.Distinct().Count() > 5);
    }

    [Fact]
    public async Task TopKRestrictsTheSupport()
    {
        var tokens = await SampleFlat(3, temperature: 5, topK: 3, logits: (p, l) =>
        {
            for (int v = 0; v < l.Length; v++)
            {
                l[v] = v * 0.01f;
            }
        });

        // The mask (31) is forbidden, so the three largest are 28, 29, 30.
        Assert.All(tokens, t => Assert.InRange(t, 28, 30));
        Assert.True(tokens.Distinct().Count() > 1);
    }

    [Fact]
    public async Task TopPKeepsTheSmallestNucleus()
    {
        // 0.5, 0.3, 0.15, 0.05 with p = 0.7: token 1 is kept (0.5 before it), token 2 is not (0.8 before it).
        var tokens = await SampleFlat(4, topP: 0.7, logits: (p, l) => Exact(l, 0.5, 0.3, 0.15, 0.05));
        Assert.All(tokens, t => Assert.InRange(t, 0, 1));
        Assert.Contains(0, tokens);
        Assert.Contains(1, tokens);
    }

    [Fact]
    public async Task WithoutFilteringTheTailIsSampled()
    {
        var tokens = await SampleFlat(4, logits: (p, l) => Exact(l, 0.4, 0.2, 0.2, 0.2));
        Assert.Contains(3, tokens);
    }

    [Fact]
    public async Task TopPOfOneKeepsEverything()
    {
        var tokens = await SampleFlat(4, topP: 1.0, logits: (p, l) => Exact(l, 0.4, 0.2, 0.2, 0.2));
        Assert.Contains(3, tokens);
    }

    private static async Task<CommittedToken> FirstCommit(ScoreKind score, double[] a, double[] b, ScoreDistribution distribution = ScoreDistribution.Model)
    {
        var denoiser = ByPosition((p, l) =>
        {
            if (p == 2)
            {
                Exact(l, a);
            }
            else if (p == 3)
            {
                Exact(l, b);
            }
        });
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 2), new SamplerOptions { Steps = 2, Score = score, ScoreDistribution = distribution });
        return Assert.Single(events[0].Committed);
    }

    [Fact]
    public async Task ConfidenceRanksByChosenProbability()
    {
        var c = await FirstCommit(ScoreKind.Confidence, [0.6, 0.4], [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]);
        Assert.Equal(2, c.Position);
        Assert.Equal(0.6, c.Score, 6);
        Assert.Equal(0.6, c.Probability, 6);
    }

    [Fact]
    public async Task MarginRanksByTopOneMinusTopTwo()
    {
        var c = await FirstCommit(ScoreKind.Margin, [0.6, 0.4], [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]);
        Assert.Equal(3, c.Position);
        Assert.Equal(0.4, c.Score, 6);
    }

    [Fact]
    public async Task NegativeEntropyCommitsTheMostCertainFirst()
    {
        // a: 0.55/0.45 (entropy 0.69) is more certain than b: 0.6 + ten times 0.04 (entropy 1.59), though b has the higher top-1.
        double[] b = [0.6, .. Enumerable.Repeat(0.04, 10)];
        var c = await FirstCommit(ScoreKind.NegativeEntropy, [0.55, 0.45], b);
        Assert.Equal(2, c.Position);
        Assert.Equal((0.55 * Math.Log(0.55)) + (0.45 * Math.Log(0.45)), c.Score, 6);

        var byConfidence = await FirstCommit(ScoreKind.Confidence, [0.55, 0.45], b);
        Assert.Equal(3, byConfidence.Position);
    }

    [Fact]
    public async Task RandomScoresAreSeeded()
    {
        var denoiser = ByPosition((p, l) => l.Clear());
        async Task<int[]> Order(ulong seed)
        {
            var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8, Score = ScoreKind.Random, Seed = seed });
            return [.. events.Select(e => e.Committed[0].Position)];
        }

        Assert.Equal(await Order(7), await Order(7));
        Assert.NotEqual(await Order(7), await Order(8));
    }

    [Fact]
    public async Task SamplingDistributionScoresUseTheTemperedFilteredSoftmax()
    {
        // Dream style: with top-k 1 the sampling distribution is one-hot, so the confidence is 1.
        var denoiser = ByPosition((p, l) => Exact(l, 0.6, 0.4));
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 1), new SamplerOptions { Steps = 1, TopK = 1, Temperature = 0.5, ScoreDistribution = ScoreDistribution.Sampling });
        var c = Assert.Single(events[0].Committed);
        Assert.Equal(1.0, c.Score, 9);
        Assert.Equal(0.6, c.Probability, 6);
    }

    [Fact]
    public async Task PositionTemperatureDrawsPositionsBySoftmaxOfScores()
    {
        // Eight positions with confidences 0.30..0.65: greedy ranking always starts with the last one; alg_temp 0.05
        // still favours it but draws others too, deterministically per seed.
        var denoiser = ByPosition((p, l) => FakeDenoiser.Peaked(l, 3, 0.3 + ((p - 2) * 0.05)));
        async Task<int> First(ulong seed, double tau)
        {
            var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8, PositionTemperature = tau, Seed = seed });
            return events[0].Committed[0].Position;
        }

        Assert.Equal(9, await First(1, 0));
        var firsts = new List<int>();
        for (ulong seed = 0; seed < 40; seed++)
        {
            firsts.Add(await First(seed, 0.05));
        }

        Assert.True(firsts.Distinct().Count() > 2);
        Assert.Equal(9, firsts.GroupBy(x => x).MaxBy(g => g.Count())!.Key);
        Assert.Equal(await First(3, 0.05), await First(3, 0.05));
    }
}
