using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// <see cref="SelectionRule.EntropyBounded"/> (EB-Sampler) on exact distributions: answer position i is uniform over
/// <c>ways[i]</c> tokens, so its entropy is exactly <c>ln ways[i]</c>.
/// </summary>
public sealed class EntropyBoundedSelectionTests
{
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

    private static SamplerOptions Eb(double gamma) => new() { Selection = SelectionRule.EntropyBounded, EntropyBound = gamma, MaxDegreeOfParallelism = 1 };

    [Fact]
    public async Task TheLargestEntropyIsLeftOutOfTheSum()
    {
        // Entropies 0, ln 2, ln 2 with γ = 0: {0, ln 2} sums to ln 2 less its max ln 2 = 0 (passes); adding the second
        // ln 2 leaves ln 2 > 0.
        var (_, events) = await RunAsync(Ways(1, 2, 2), DiffusionCanvas.FromPrompt(Prompt, 3), Eb(0));
        Assert.Equal([2, 3], Positions(events[0]));
    }

    [Fact]
    public async Task TheBoundIsInclusive()
    {
        // Entropies 0, ln 2, ln 2: the whole prefix sums to 2 ln 2 less ln 2 = ln 2 (exact in binary), at γ = ln 2.
        var (_, at) = await RunAsync(Ways(1, 2, 2), DiffusionCanvas.FromPrompt(Prompt, 3), Eb(Math.Log(2)));
        Assert.Equal([2, 3, 4], Positions(at[0]));

        var (_, below) = await RunAsync(Ways(1, 2, 2), DiffusionCanvas.FromPrompt(Prompt, 3), Eb(Math.BitDecrement(Math.Log(2))));
        Assert.Equal([2, 3], Positions(below[0]));
    }

    [Fact]
    public async Task TheBestPositionIsAlwaysCommitted()
    {
        // Two uncertain positions (ln 3, ln 2) and γ = 0: the better-scored one (p = 1/2) still goes.
        var (result, events) = await RunAsync(Ways(3, 2), DiffusionCanvas.FromPrompt(Prompt, 2), Eb(0));
        Assert.Equal([3], Positions(events[0]));
        Assert.Equal(2, result.Nfe);
    }

    [Fact]
    public async Task TheRankingFollowsTheScoreNotTheEntropy()
    {
        // Margin scores: position 2 has p = (0.6, 0.4) (margin 0.2, low entropy), position 3 p = (0.5, 0.25, 0.25)
        // (margin 0.25, higher entropy). Ranked by margin, position 3 goes first alone at γ = 0.
        var denoiser = ByPosition((p, logits) =>
        {
            if (p == 2)
            {
                Exact(logits, 0.6, 0.4);
            }
            else if (p == 3)
            {
                Exact(logits, 0.5, 0.25, 0.25);
            }
        });
        var options = Eb(0);
        options.Score = SkDiffusion.Sampling.Scoring.ScoreKind.Margin;
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 2), options);
        Assert.Equal([3], Positions(events[0]));
    }

    [Fact]
    public async Task AHugeBoundCommitsTheBlockLikeTheThresholdRuleAtItsFloor()
    {
        // Degenerate bound: every position of a block passes, as with a threshold every score reaches.
        var denoiser = Confidences([0.9, 0.5, 0.3, 0.7, 0.6, 0.2, 0.95, 0.4]);
        var canvas = DiffusionCanvas.FromPrompt(Prompt, 8);
        var eb = await Sampler(denoiser).SampleAsync(canvas, new SamplerOptions { Steps = 8, BlockLength = 4, Selection = SelectionRule.EntropyBounded, EntropyBound = 1e9, MaxDegreeOfParallelism = 1 });
        var threshold = await Sampler(denoiser).SampleAsync(canvas, new SamplerOptions { Steps = 8, BlockLength = 4, Selection = SelectionRule.Threshold, Threshold = double.Epsilon, MaxDegreeOfParallelism = 1 });
        Assert.Equal(threshold.Sequences[0].Tokens, eb.Sequences[0].Tokens);
        Assert.Equal(2, eb.Nfe);
        Assert.Equal(threshold.Nfe, eb.Nfe);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ABadBoundNamesTheOption(double gamma)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(Eb(gamma).Validate);
        Assert.Equal(nameof(SamplerOptions.EntropyBound), ex.ParamName);
    }
}
