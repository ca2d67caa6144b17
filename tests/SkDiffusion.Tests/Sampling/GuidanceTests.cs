using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Guidance;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class GuidanceTests
{
    // Conditional rows (prompt visible): A=2, B=0, C=1.5. Unconditional rows (prompt masked): A=2, B=0, C=0.
    private static FakeDenoiser CfgDenoiser() => new(SamplingTestIds.Vocab, (row, tokens, position, logits) =>
    {
        logits.Fill(-10);
        logits[1] = 2;
        logits[2] = 0;
        logits[3] = tokens[0] == SamplingTestIds.Mask ? 0 : 1.5f;
    });

    [Fact]
    public async Task CfgCombinesUncondAndCondLogits()
    {
        var denoiser = CfgDenoiser();
        var (plain, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 1), new SamplerOptions { Steps = 1 });
        Assert.Equal(1, plain.Sequences[0].Tokens[2]);

        denoiser = CfgDenoiser();
        var (guided, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 1), new SamplerOptions { Steps = 1, CfgScale = 1 });

        // uncond + 2 (cond - uncond): A = 2, B = 0, C = 3, the other 28 = -10 (the mask is forbidden).
        Assert.Equal(3, guided.Sequences[0].Tokens[2]);
        double z = Math.Exp(3) + Math.Exp(2) + Math.Exp(0) + (28 * Math.Exp(-10));
        Assert.Equal(Math.Exp(3) / z, events[0].Committed[0].Probability, 6);
    }

    [Fact]
    public async Task CfgSendsBothRowsInOneBatchWithThePromptMasked()
    {
        var denoiser = CfgDenoiser();
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 3), new SamplerOptions { Steps = 3, CfgScale = 0.5 });
        Assert.Equal(3, result.Nfe);
        Assert.Equal(3, denoiser.Calls);
        var (tokens, _, batch, length) = denoiser.Inputs[1];
        Assert.Equal(2, batch);
        Assert.Equal(5, length);
        Assert.Equal([5, 6], tokens[..2]);
        Assert.Equal([SamplingTestIds.Mask, SamplingTestIds.Mask], tokens[5..7]);
        Assert.Equal(tokens[2..5], tokens[7..10]); // same answer region in both rows
    }

    [Fact]
    public async Task CfgKeepsTemplateFixedTokensInTheUnconditionalRow()
    {
        var denoiser = CfgDenoiser();
        var template = new CanvasTemplate().AddTokens([12]).AddSlot(1);
        await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 1, CfgScale = 1 });
        var (tokens, _, _, _) = denoiser.Inputs[0];
        Assert.Equal([5, 6, 12, SamplingTestIds.Mask, SamplingTestIds.Mask, SamplingTestIds.Mask, 12, SamplingTestIds.Mask], tokens);
    }

    [Fact]
    public async Task RewardGuidancePicksTheBestCandidate()
    {
        var denoiser = ByPosition((p, l) => l.Clear());
        var scorer = new CountingScorer(7);
        var options = new SamplerOptions { Steps = 1, Temperature = 1, Seed = 5, RewardGuidance = new RewardGuidanceOptions(scorer, 6), TruncateAtEos = false };
        var (result, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 24), options);

        Assert.Equal(1, result.Nfe);
        Assert.Equal(6, scorer.Candidates.Count);
        var best = scorer.Candidates.MaxBy(c => c.Score);
        Assert.True(scorer.Candidates.Select(c => c.Score).Distinct().Count() > 1);
        Assert.Equal(best.Tokens, result.Sequences[0].Tokens.Select(t => (long)t).ToArray());
        Assert.Equal(24, events[0].Committed.Count);
    }

    [Fact]
    public async Task RewardGuidanceWithOneCandidateEqualsPlainSampling()
    {
        var denoiser = ByPosition((p, l) => l.Clear());
        var options = new SamplerOptions { Steps = 4, Temperature = 1, Seed = 5 };
        var (plain, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 8), options);
        options.RewardGuidance = new RewardGuidanceOptions(new CountingScorer(7), 1);
        var (guided, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 8), options);
        Assert.Equal(plain.Sequences[0].Tokens, guided.Sequences[0].Tokens);
    }

    private sealed class CountingScorer(int token) : IRewardScorer
    {
        public List<(long[] Tokens, double Score)> Candidates { get; } = [];

        public ValueTask<double> ScoreAsync(RewardCandidate candidate, CancellationToken cancellationToken)
        {
            double score = candidate.Tokens.ToArray().Count(t => t == token);
            Candidates.Add((candidate.Tokens.ToArray(), score));
            return ValueTask.FromResult(score);
        }
    }
}
