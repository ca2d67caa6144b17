using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// Boundaries of the selection rules and scores, built with exact distributions: every token but the listed ones
/// (the mask included) at negative infinity, so a score of 0.5 is exactly 0.5.
/// </summary>
public sealed class BoundaryTests
{
    /// <summary>Answer position i: logits 0 on the first <c>ways[i]</c> tokens (p = 1/ways), -inf elsewhere.</summary>
    private static FakeDenoiser Ways(params int[] ways) => ByPosition((p, logits) =>
    {
        int i = p - Prompt.Length;
        if (i >= 0 && i < ways.Length)
        {
            logits.Fill(float.NegativeInfinity);
            logits[..ways[i]].Fill(0f);
        }
    });

    private static int[] Positions(SamplingStepEvent e) => e.Committed.Select(c => c.Position).Order().ToArray();

    [Fact]
    public async Task ThresholdAcceptsAScoreExactlyAtTheThreshold()
    {
        // Scores 1, 0.5, 1/3: threshold 0.5 takes the first two (>=), not the third.
        var (_, events) = await RunAsync(Ways(1, 2, 3), DiffusionCanvas.FromPrompt(Prompt, 3), new SamplerOptions { Selection = SelectionRule.Threshold, Threshold = 0.5 });
        Assert.Equal([2, 3], Positions(events[0]));
        Assert.Equal(0.5, events[0].Committed.Single(c => c.Position == 3).Score);
    }

    [Fact]
    public async Task ConfidentNeedsAScoreStrictlyAboveTheThreshold()
    {
        // Scores 1, 0.5, 0.5, 1/3 with threshold 0.5 over 2 steps: only the 1 passes (> 0.5).
        var (_, events) = await RunAsync(Ways(1, 2, 2, 3), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 2, Selection = SelectionRule.Confident, Threshold = 0.5 });
        Assert.Equal([2], Positions(events[0]));
    }

    [Fact]
    public async Task FactorAcceptsAScoreExactlyAtItsBound()
    {
        // Factor 1.5: rank 2 needs 1 - 1.5/3 = 0.5 exactly (passes), rank 3 needs 0.625 (0.5 fails, not the last).
        var (_, events) = await RunAsync(Ways(1, 2, 2, 3), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Selection = SelectionRule.Factor, Factor = 1.5 });
        Assert.Equal([2, 3], Positions(events[0]));
    }

    [Fact]
    public async Task FactorStopsBelowItsBound()
    {
        // Rank 2 at 1/3 fails 0.5 and is not the last: only the best goes.
        var (_, events) = await RunAsync(Ways(1, 3, 3, 3), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Selection = SelectionRule.Factor, Factor = 1.5 });
        Assert.Equal([2], Positions(events[0]));
    }

    [Fact]
    public async Task ConfidentsLastStepCommitsEverythingLeft()
    {
        // Answer position i is certain once position i-1 holds a token, a coin flip before: at the last of 2 steps only
        // one position passes, yet all three left are committed.
        var denoiser = new FakeDenoiser(SamplingTestIds.Vocab, (row, tokens, position, logits) =>
        {
            logits.Fill(float.NegativeInfinity);
            bool known = position <= Prompt.Length || tokens[position - 1] != SamplingTestIds.Mask;
            logits[..(known ? 1 : 2)].Fill(0f);
        });
        var (result, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 2, Selection = SelectionRule.Confident, Threshold = 0.9 });
        Assert.Equal([2], Positions(events[0]));
        Assert.Equal([3, 4, 5], Positions(events[1]));
        Assert.Equal(2, result.Nfe);
    }

    [Fact]
    public async Task SlotRankingKeepsEachSlotsOwnOrderWhenScoresInterleave()
    {
        // Slot A scores 1, 1/3; slot B scores 1/2, 1/4: by score alone they interleave (A0, B0, A1, B1). Each slot
        // ranks its own positions first and commits its best one at the first of 2 steps.
        var denoiser = ByPosition((p, logits) =>
        {
            int ways = p switch { 2 => 1, 3 => 3, 5 => 2, 6 => 4, _ => 1 };
            logits.Fill(float.NegativeInfinity);
            logits[..ways].Fill(0f);
        });
        var template = new CanvasTemplate().AddSlot(2).AddTokens([9]).AddSlot(2);
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 2, RankingScope = RankingScope.Slot });
        Assert.Equal([2, 5], Positions(events[0]));
        Assert.Equal([3, 6], Positions(events[1]));
    }

    [Fact]
    public async Task TiesGoToTheEarlierPosition()
    {
        // 40 equal scores, one commit per step: the commit order is the position order (the sort is not stable).
        const int n = 40;
        var (_, events) = await RunAsync(Ways(Enumerable.Repeat(2, n).ToArray()), DiffusionCanvas.FromPrompt(Prompt, n), new SamplerOptions { Steps = n });
        Assert.Equal(Enumerable.Range(Prompt.Length, n), events.Select(e => e.Committed.Single().Position));
    }

    [Fact]
    public async Task PositionTemperatureDrawsPositionsWithSoftmaxOfScoreOverTau()
    {
        // Scores 1, 1/2, 1/4 with tau 0.25: the first commit is position i with probability softmax(score / tau)_i.
        double[] scores = [1, 0.5, 0.25];
        const double tau = 0.25;
        var expected = scores.Select(s => Math.Exp(s / tau)).ToArray();
        double z = expected.Sum();
        var counts = new int[3];
        const int runs = 1000;
        for (int seed = 0; seed < runs; seed++)
        {
            var (_, events) = await RunAsync(Ways(1, 2, 4), DiffusionCanvas.FromPrompt(Prompt, 3), new SamplerOptions { Steps = 3, PositionTemperature = tau, Seed = (ulong)seed, MaxDegreeOfParallelism = 1 });
            counts[events[0].Committed.Single().Position - Prompt.Length]++;
        }

        for (int i = 0; i < 3; i++)
        {
            double p = expected[i] / z;
            double sd = Math.Sqrt(p * (1 - p) / runs);
            Assert.InRange(counts[i] / (double)runs, p - (4 * sd), p + (4 * sd));
        }
    }

    [Fact]
    public async Task FixedSlotsNeverHoldEotOrPad()
    {
        // EoT is the likeliest token, then pad, then EOS: a fixed-length slot takes token 3.
        var denoiser = ByPosition((p, logits) =>
        {
            logits.Fill(float.NegativeInfinity);
            logits[SamplingTestIds.Eot] = 3;
            logits[SamplingTestIds.Pad] = 2;
            logits[SamplingTestIds.Eos] = 1;
            logits[3] = 0;
        });
        var template = new CanvasTemplate().AddSlot(2).AddTokens([9]);
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 2 });
        Assert.Equal([3, 3, 9], result.Sequences[0].AnswerTokens);
    }

    [Fact]
    public async Task LogitSuppressionRemovesEosButKeepsEot()
    {
        var denoiser = ByPosition((p, logits) =>
        {
            logits.Fill(float.NegativeInfinity);
            logits[SamplingTestIds.Eos] = 3;
            logits[SamplingTestIds.Eot] = 2;
            logits[4] = 1;
        });
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 2), new SamplerOptions { Steps = 2, EosSuppression = EosSuppression.Logits });
        Assert.Equal([SamplingTestIds.Eot, SamplingTestIds.Eot], result.Sequences[0].Tokens.Skip(Prompt.Length));
    }

    [Fact]
    public async Task ConfidenceSuppressionRenormalisesWithoutEosAndEot()
    {
        // Position A: p(1) = 0.5, p(EOS) = 0.45, p(2) = 0.05; position B: p(3) = 0.6, p(4) = 0.4. Without EOS, A's
        // confidence is 0.5/0.55 = 0.909 and A goes first (LLaDA); unnormalised it would be 0.5 < 0.6.
        var denoiser = ByPosition((p, logits) =>
        {
            if (p == 2)
            {
                Exact(logits, 0, 0.5, 0.05);
                logits[SamplingTestIds.Eos] = (float)Math.Log(0.45);
            }
            else if (p == 3)
            {
                Exact(logits, 0, 0, 0, 0.6, 0.4);
            }
        });
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 2), new SamplerOptions { Steps = 2, EosSuppression = EosSuppression.Confidence });
        var first = events[0].Committed.Single();
        Assert.Equal(2, first.Position);
        Assert.Equal(0.5 / 0.55, first.Score, 6);
        Assert.Equal(0.5, first.Probability, 6);
    }

    [Theory]
    [InlineData(ScoreKind.Margin, null)]
    [InlineData(ScoreKind.Margin, 2)]
    [InlineData(ScoreKind.NegativeEntropy, null)]
    [InlineData(ScoreKind.NegativeEntropy, 2)]
    public async Task MarginAndEntropyUseTheTemperedFilteredDistribution(ScoreKind score, int? topK)
    {
        float[] l = [(float)Math.Log(0.5), (float)Math.Log(0.3), (float)Math.Log(0.2)];
        const double temperature = 0.5;
        var denoiser = ByPosition((p, logits) =>
        {
            logits.Fill(float.NegativeInfinity);
            l.CopyTo(logits);
        });
        var options = new SamplerOptions { Steps = 1, Temperature = temperature, TopK = topK, Score = score, ScoreDistribution = ScoreDistribution.Sampling, Seed = 5 };
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 1), options);

        var w = l.Take(topK ?? 3).Select(x => Math.Exp(x / temperature)).ToArray();
        var q = w.Select(x => x / w.Sum()).ToArray();
        double expected = score == ScoreKind.Margin ? q[0] - q[1] : q.Sum(x => x * Math.Log(x));
        Assert.Equal(expected, events[0].Committed.Single().Score, 9);
    }

    [Fact]
    public void MaskedFractionAfterFollowsEachSchedule()
    {
        foreach (ICommitSchedule s in new ICommitSchedule[] { LinearSchedule.Instance, CosineSchedule.Instance, new ExponentialSchedule(2), DreamSchedule.Default })
        {
            Assert.Equal(1.0, s.MaskedFractionAfter(-1, 4));
            Assert.Equal(0.0, s.MaskedFractionAfter(3, 4));
        }

        Assert.Equal(0.75, LinearSchedule.Instance.MaskedFractionAfter(0, 4));
        Assert.Equal(0.25, LinearSchedule.Instance.MaskedFractionAfter(2, 4));
        Assert.Equal(Math.Cos(Math.PI / 2 * 0.5), CosineSchedule.Instance.MaskedFractionAfter(1, 4), 12);
        Assert.Equal((Math.Exp(-2 * 0.25) - Math.Exp(-2)) / (1 - Math.Exp(-2)), new ExponentialSchedule(2).MaskedFractionAfter(0, 4), 12);
        Assert.Equal((double)DreamSchedule.Default.Timestep(2, 4), DreamSchedule.Default.MaskedFractionAfter(1, 4));
        Assert.Equal(0.5005, DreamSchedule.Default.MaskedFractionAfter(1, 4), 6);
    }
}
