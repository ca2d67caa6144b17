using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Sampling.Remasking;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class BlockRolloutTests
{
    private static FakeDenoiser Uniform() => ByPosition((p, l) => l.Clear());

    [Fact]
    public async Task Block_rollouts_score_completed_blocks_and_keep_the_best()
    {
        var scorer = new RecordingScorer(c => c.Tokens.ToArray()[2..].Count(t => t == 7));
        var options = new SamplerOptions
        {
            Steps = 8,
            BlockLength = 4,
            Temperature = 1,
            Seed = 11,
            TruncateAtEos = false,
            RewardGuidance = new RewardGuidanceOptions(scorer, 5) { Mode = RewardMode.Block },
        };
        var (result, events) = await RunAsync(Uniform(), DiffusionCanvas.FromPrompt(Prompt, 8), options);

        // Two blocks, five rollouts each: every rollout scored once, on a block without masks.
        Assert.Equal(10, scorer.Calls.Count);
        Assert.Equal([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], scorer.Calls.Select(c => c.Index));
        foreach (var call in scorer.Calls.Take(5))
        {
            Assert.DoesNotContain((long)SamplingTestIds.Mask, call.Tokens[2..6]);
        }

        Assert.True(scorer.Calls.Take(5).Select(c => string.Join(",", c.Tokens[2..6])).Distinct().Count() > 1, "the rollouts should differ");

        // The kept canvas is the best rollout of the last block (first on ties), and its first block the best of the first.
        var last = scorer.Calls.Skip(5).ToList();
        var bestLast = last.First(c => c.Score == last.Max(x => x.Score));
        Assert.Equal(bestLast.Tokens, result.Sequences[0].Tokens.Select(t => (long)t).ToArray());
        var first = scorer.Calls.Take(5).ToList();
        var bestFirst = first.First(c => c.Score == first.Max(x => x.Score));
        Assert.Equal(bestFirst.Tokens[2..6], bestLast.Tokens[2..6]);

        // Each rollout runs the block's 4 steps: 5 x 8 passes; one event per block reports the kept commits.
        Assert.Equal(40, result.Nfe);
        Assert.Equal(2, events.Count);
        Assert.Equal(4, events[0].Committed.Count);
        Assert.Equal(0, events[^1].MasksLeft);
    }

    [Fact]
    public async Task Rollout_zero_is_the_unguided_run_when_rewards_tie()
    {
        var options = new SamplerOptions { Steps = 8, BlockLength = 4, Temperature = 1, Seed = 3, TruncateAtEos = false };
        var (plain, _) = await RunAsync(Uniform(), DiffusionCanvas.FromPrompt(Prompt, 8), options);
        options.RewardGuidance = new RewardGuidanceOptions(new RecordingScorer(_ => 1.0), 3) { Mode = RewardMode.Block };
        var (guided, _) = await RunAsync(Uniform(), DiffusionCanvas.FromPrompt(Prompt, 8), options);
        Assert.Equal(plain.Sequences[0].Tokens, guided.Sequences[0].Tokens);
        Assert.Equal(3 * plain.Nfe, guided.Nfe);
        Assert.Equal(plain.Steps, guided.Steps);
    }

    [Fact]
    public async Task Exploration_temperature_lets_greedy_decoding_try_alternatives()
    {
        var scorer = new RecordingScorer(_ => 0);
        var options = new SamplerOptions
        {
            Steps = 4,
            Seed = 9,
            TruncateAtEos = false,
            RewardGuidance = new RewardGuidanceOptions(scorer, 4) { Mode = RewardMode.Block, ExplorationTemperature = 1.0 },
        };
        var (greedyGuided, _) = await RunAsync(Uniform(), DiffusionCanvas.FromPrompt(Prompt, 4), options);
        var (greedy, _) = await RunAsync(Uniform(), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 4, Seed = 9, TruncateAtEos = false });

        Assert.Equal(4, scorer.Calls.Count);
        Assert.True(scorer.Calls.Select(c => string.Join(",", c.Tokens)).Distinct().Count() > 1);
        Assert.Equal(greedy.Sequences[0].Tokens, greedyGuided.Sequences[0].Tokens); // ties keep rollout 0, the greedy answer
    }

    [Fact]
    public async Task Step_mode_explores_too_with_greedy_decoding()
    {
        var scorer = new RecordingScorer(_ => 0);
        var options = new SamplerOptions { Steps = 1, Seed = 9, TruncateAtEos = false, RewardGuidance = new RewardGuidanceOptions(scorer, 4) { ExplorationTemperature = 2.0 } };
        await RunAsync(Uniform(), DiffusionCanvas.FromPrompt(Prompt, 6), options);
        Assert.Equal(4, scorer.Calls.Count);
        Assert.True(scorer.Calls.Select(c => string.Join(",", c.Tokens)).Distinct().Count() > 1);
    }

    [Fact]
    public async Task Rows_of_a_batch_keep_their_own_best_rollout()
    {
        var scorer = new RecordingScorer(c => c.Tokens.ToArray()[c.PromptLength..].Count(t => t == (c.Row == 0 ? 7 : 8)));
        var canvas = DiffusionCanvas.CreateBuilder().Add(Prompt, 4).Add([5], 6).Build();
        var options = new SamplerOptions
        {
            Steps = 6,
            BlockLength = 3,
            Temperature = 1,
            Seed = 21,
            TruncateAtEos = false,
            RewardGuidance = new RewardGuidanceOptions(scorer, 4) { Mode = RewardMode.Block },
        };
        var (result, _) = await RunAsync(Uniform(), canvas, options);
        foreach (int row in new[] { 0, 1 })
        {
            var lastRound = scorer.Calls.Where(c => c.Row == row).TakeLast(4).ToList();
            var best = lastRound.First(c => c.Score == lastRound.Max(x => x.Score));
            Assert.Equal(best.Tokens, result.Sequences[row].Tokens.Select(t => (long)t).ToArray());
            Assert.DoesNotContain(SamplingTestIds.Mask, result.Sequences[row].Tokens);
        }
    }

    [Fact]
    public void Block_rollouts_refuse_remasking_and_bad_temperatures()
    {
        var scorer = new RecordingScorer(_ => 0);
        var options = new SamplerOptions
        {
            Steps = 8,
            Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.1 },
            RewardGuidance = new RewardGuidanceOptions(scorer, 2) { Mode = RewardMode.Block },
        };
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(SamplerOptions.RewardGuidance), ex.ParamName);
        Assert.Contains("Remasking", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RewardGuidanceOptions(scorer) { ExplorationTemperature = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new RewardGuidanceOptions(scorer) { ExplorationTemperature = double.NaN });
    }

    private sealed class RecordingScorer(Func<RewardCandidate, double> score) : IRewardScorer
    {
        public List<Call> Calls { get; } = [];

        public ValueTask<double> ScoreAsync(RewardCandidate candidate, CancellationToken cancellationToken)
        {
            double value = score(candidate);
            Calls.Add(new Call(candidate.Tokens.ToArray(), candidate.CandidateIndex, value, candidate.Row));
            return ValueTask.FromResult(value);
        }
    }

    private sealed record Call(long[] Tokens, int Index, double Score, int Row);
}
