using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Internal;
using SkDiffusion.Sampling.Remasking;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// <see cref="Remasker"/> (ReMDM's σ against its closed forms, the loop schedule's plan, which tokens may go back and
/// how often) and <see cref="EosStopPolicy"/> (what the early stop fills).
/// </summary>
public sealed class RemaskerUnitTests
{
    private static Remasker Remasker(RemaskingStrategy strategy, double eta = 0.8, ulong seed = 1, int answer = 4, double tOn = 0.55, double tOff = 0.05, double alphaOn = 0.9)
    {
        var options = new SamplerOptions { Steps = 4, Seed = seed, Remasking = strategy == RemaskingStrategy.None ? null : new RemaskingOptions { Strategy = strategy, Eta = eta, TOn = tOn, TOff = tOff, AlphaOn = alphaOn } };
        return new Remasker(PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], answer), options), options);
    }

    private static RowState Step(int step, int steps = 4) => new() { StepInBlock = step, StepsInBlock = steps };

    [Theory]
    [InlineData(RemaskingStrategy.Cap, 0, 0.8)]      // α_t = 0: η
    [InlineData(RemaskingStrategy.Cap, 1, 0.8)]      // (1 - 0.5) / 0.25 = 2: η
    [InlineData(RemaskingStrategy.Cap, 2, 0.5)]      // (1 - 0.75) / 0.5 = 0.5
    [InlineData(RemaskingStrategy.Rescale, 0, 0.8)]
    [InlineData(RemaskingStrategy.Rescale, 1, 0.8)]  // η · min(1, 2)
    [InlineData(RemaskingStrategy.Rescale, 2, 0.4)]  // η · 0.5
    [InlineData(RemaskingStrategy.Conf, 0, 1.0)]
    [InlineData(RemaskingStrategy.Conf, 1, 1.0)]
    [InlineData(RemaskingStrategy.Conf, 2, 0.5)]
    [InlineData(RemaskingStrategy.Cap, 3, 0.0)]      // the last step never remasks
    [InlineData(RemaskingStrategy.None, 1, 0.0)]
    public void Sigma_follows_remdm_with_alphas_from_the_linear_schedule(RemaskingStrategy strategy, int step, double expected) =>
        Assert.Equal(expected, Remasker(strategy).Sigma(Step(step)), 12);

    [Theory]
    [InlineData(0, 0.0)]  // t = 1 > t_on
    [InlineData(1, 0.8)]  // t = 0.75 = t_on: on (inclusive)
    [InlineData(2, 0.0)]  // t = 0.5 = t_off: off (exclusive)
    [InlineData(3, 0.0)]  // last step
    public void Loop_sigma_is_eta_for_t_in_t_off_to_t_on(int step, double expected) =>
        Assert.Equal(expected, Remasker(RemaskingStrategy.Loop, tOn: 0.75, tOff: 0.5).Sigma(Step(step)), 12);

    [Fact]
    public void Loop_sigma_between_the_bounds_is_eta()
    {
        Assert.Equal(0.8, Remasker(RemaskingStrategy.Loop, tOn: 0.75, tOff: 0.25).Sigma(Step(2)), 12);  // t = 0.5
        Assert.Equal(0.0, Remasker(RemaskingStrategy.Loop, tOn: 0.25, tOff: 0.125).Sigma(Step(2)), 12); // t = 0.5 > t_on
    }

    [Fact]
    public void The_last_step_never_remasks_even_inside_the_loop_window()
    {
        // Steps 2 and 3 of 4: t = 0.5 and 0.25, both inside (t_off, t_on] = (0.1, 0.5]; σ is η except at the last step.
        var remasker = Remasker(RemaskingStrategy.Loop, tOn: 0.5, tOff: 0.1);
        Assert.Equal(0.8, remasker.Sigma(Step(2)), 12);
        Assert.Equal(0.0, remasker.Sigma(Step(3)));
    }

    [Theory]
    [InlineData(RemaskingStrategy.Cap, 0.8)]
    [InlineData(RemaskingStrategy.Rescale, 0.8)]
    [InlineData(RemaskingStrategy.Conf, 1.0)]
    public void Sigma_is_its_cap_when_the_schedule_empties_in_the_first_step(RemaskingStrategy strategy, double expected)
    {
        // α_t = 0 before the first step and α_s = 1 after it: (1 - α_s) / α_t is 0 / 0, so σ takes its bound.
        var options = new SamplerOptions { Steps = 4, Schedule = new EarlySchedule(), Remasking = new RemaskingOptions { Strategy = strategy, Eta = 0.8 } };
        var remasker = new Remasker(PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 4), options), options);
        Assert.Equal(expected, remasker.Sigma(Step(0)), 12);
    }

    [Fact]
    public void The_loop_plan_follows_its_alpha_curve()
    {
        // 10 masks, 10 steps, t_on 0.6, t_off 0.2, α_on 0.8. After step s: t = 1 - (s+1)/10, remaining 1 - α(t):
        // t > t_on: α = (1 - t)·α_on/(1 - t_on); t_off < t ≤ t_on: α_on; t ≤ t_off: 1 - t(1 - α_on)/t_off.
        var remasker = Remasker(RemaskingStrategy.Loop, tOn: 0.6, tOff: 0.2, alphaOn: 0.8);
        var expected = new List<int>();
        var actual = new List<int>();
        int masked = 10;
        for (int s = 0; s < 10; s++)
        {
            double t = 1 - ((s + 1) / 10.0);
            double alpha = t > 0.6 ? (1 - t) * 0.8 / 0.4 : t > 0.2 ? 0.8 : 1 - (t * 0.2 / 0.2);
            int plan = Math.Clamp(masked - (int)Math.Floor((10 * (1 - alpha)) + 1e-9), 0, masked);
            var row = new RowState { StepInBlock = s, StepsInBlock = 10, GroupInitial = [10], GroupMasked = [masked] };
            actual.Add(remasker.PlannedCount(row, 0)!.Value);
            expected.Add(plan);
            masked -= plan;
        }

        Assert.Equal(expected, actual);
        Assert.Equal([2, 2, 2, 2, 0, 0, 0, 0, 1, 1], actual);
        Assert.Null(Remasker(RemaskingStrategy.Cap).PlannedCount(new RowState { GroupMasked = [3], GroupInitial = [3], StepsInBlock = 4 }, 0));
        Assert.Equal(0, Remasker(RemaskingStrategy.Loop, tOff: 0).PlannedCount(new RowState { StepInBlock = 0, StepsInBlock = 4, GroupInitial = [4], GroupMasked = [0] }, 0));

        // With t_off = 0 the end of the curve (t = 0) is α = 1: every mask left is planned.
        Assert.Equal(3, Remasker(RemaskingStrategy.Loop, tOff: 0).PlannedCount(new RowState { StepInBlock = 9, StepsInBlock = 10, GroupInitial = [10], GroupMasked = [3] }, 0));
    }

    [Fact]
    public void A_loop_with_t_off_zero_ends_fully_unmasked()
    {
        var remasker = Remasker(RemaskingStrategy.Loop, tOn: 0.5, tOff: 0, alphaOn: 0.9);
        var row = new RowState { StepInBlock = 8, StepsInBlock = 10, GroupInitial = [10], GroupMasked = [5] };
        Assert.Equal(4, remasker.PlannedCount(row, 0)); // t = 0.1 > t_off = 0: α_on, 1 masked remains planned
    }

    [Fact]
    public void Only_committed_tokens_of_the_current_block_go_back()
    {
        var options = new SamplerOptions { Steps = 8, BlockLength = 4, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 1 } };
        var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 8), options);
        var remasker = new Remasker(state, options);
        var row = state.Rows[0];
        (row.Block, row.BlockStart, row.BlockEnd, row.StepsInBlock) = (0, 2, 6, 4);
        state.Commit(0, 2, 7, 0.5);
        state.Commit(0, 4, 8, 0.5);
        state.Commit(0, 7, 9, 0.5); // outside the block
        var remasked = new List<RemaskedToken>();
        remasker.Remask(0, 1.0, remasked);
        Assert.Equal([(2, 7), (4, 8)], remasked.Select(t => (t.Position, t.PreviousTokenId)));
        Assert.True(state.Committed[state.RowBase(0) + 7]);
        Assert.Equal(7, row.MasksLeft);

        remasked.Clear();
        state.Commit(0, 2, 7, 0.5);
        remasker.Remask(0, 0.0, remasked);
        Assert.Empty(remasked);
    }

    [Fact]
    public void Remasking_frequency_is_sigma()
    {
        int hits = 0;
        const int trials = 2000;
        for (int d = 0; d < trials; d++)
        {
            var options = new SamplerOptions { Steps = 4, Seed = (ulong)d, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 1 } };
            var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 1), options);
            (state.Rows[0].BlockStart, state.Rows[0].BlockEnd) = (2, 3);
            state.Commit(0, 2, 7, 0.5);
            var remasked = new List<RemaskedToken>();
            new Remasker(state, options).Remask(0, 0.3, remasked);
            hits += remasked.Count;
        }

        Assert.InRange(hits / (double)trials, 0.26, 0.34);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Conf_remasks_with_sigma_max_times_softmax_of_minus_probability(bool maskLeft)
    {
        // Two committed tokens with p = 0.9 and 0.1: softmax(-p) = 0.31, 0.69; σ_max = 1. A mask left in the block
        // takes no part in the softmax; a block without one (all committed, kept open to remask) is the common case.
        var counts = new int[2];
        const int trials = 2000;
        for (int d = 0; d < trials; d++)
        {
            var options = new SamplerOptions { Steps = 4, Seed = (ulong)d, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Conf, Eta = 1 } };
            var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 3), options);
            (state.Rows[0].BlockStart, state.Rows[0].BlockEnd) = (2, maskLeft ? 5 : 4);
            state.Commit(0, 2, 7, 0.9);
            state.Commit(0, 3, 8, 0.1);
            var remasked = new List<RemaskedToken>();
            new Remasker(state, options).Remask(0, 1.0, remasked);
            foreach (var t in remasked)
            {
                counts[t.Position - 2]++;
            }
        }

        double w0 = Math.Exp(-0.9) / (Math.Exp(-0.9) + Math.Exp(-0.1));
        Assert.InRange(counts[0] / (double)trials, w0 - 0.04, w0 + 0.04);
        Assert.InRange(counts[1] / (double)trials, 1 - w0 - 0.04, 1 - w0 + 0.04);
    }

    [Fact]
    public void A_block_stays_open_while_it_has_steps_and_something_to_remask()
    {
        var options = new SamplerOptions { Steps = 4, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.5 } };
        var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 2), options);
        var remasker = new Remasker(state, options);
        var row = state.Rows[0];
        (row.BlockStart, row.BlockEnd, row.StepInBlock, row.StepsInBlock) = (2, 4, 2, 4);
        Assert.False(remasker.KeepsBlockOpen(0));
        state.Commit(0, 2, 7, 0.5);
        Assert.True(remasker.KeepsBlockOpen(0));
        row.StepInBlock = 4;
        Assert.False(remasker.KeepsBlockOpen(0));
        row.StepInBlock = 3;
        Assert.True(remasker.KeepsBlockOpen(0));
        Assert.False(Remasker(RemaskingStrategy.None).KeepsBlockOpen(0));
        Assert.False(Remasker(RemaskingStrategy.None).Active);
        Assert.True(remasker.Active);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(13)]
    public void The_early_stop_fills_the_slot_beyond_a_finished_block_with_eos(int end)
    {
        var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 8), new SamplerOptions { Steps = 4, BlockLength = 4 });
        var row = state.Rows[0];
        (row.Block, row.BlockStart, row.BlockEnd) = (0, 2, 6);
        var policy = new EosStopPolicy(state);
        var filled = new List<CommittedToken>();
        state.Commit(0, 2, 3, 0.5);
        state.Commit(0, 3, end, 0.5);
        state.Commit(0, 4, 3, 0.5);
        policy.Apply(0, filled);
        Assert.Empty(filled); // position 5 is still masked: the block is not finished
        state.Commit(0, 5, 3, 0.5);
        state.Commit(0, 7, 4, 0.5); // already decoded beyond the block: kept
        policy.Apply(0, filled);
        Assert.Equal([6, 8, 9], filled.Select(t => t.Position));
        Assert.All(filled, t => Assert.Equal(14, t.TokenId));
        Assert.Equal(CanvasState.KindFilled, state.Kind[state.RowBase(0) + 6]);
        Assert.Equal(4, state.Tokens[state.RowBase(0) + 7]);
        Assert.Equal(0, row.MasksLeft);
    }

    [Fact]
    public void The_early_stop_looks_only_at_end_tokens_committed_inside_the_block()
    {
        var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 8), new SamplerOptions { Steps = 4, BlockLength = 4 });
        var row = state.Rows[0];
        (row.Block, row.BlockStart, row.BlockEnd) = (0, 2, 6);
        var policy = new EosStopPolicy(state);
        var filled = new List<CommittedToken>();
        for (int p = 2; p < 6; p++)
        {
            state.Commit(0, p, 3, 0.5);
        }

        policy.Apply(0, filled);
        Assert.Empty(filled); // a finished block without an end token

        state.Commit(0, 6, 14, 0.5); // an EOS just past the block: not this block's
        policy.Apply(0, filled);
        Assert.Empty(filled);

        int flat = state.RowBase(0) + 3;
        state.Tokens[flat] = 14; // an end token in a slot that the sampler did not commit
        state.Committed[flat] = false;
        policy.Apply(0, filled);
        Assert.Empty(filled);
        Assert.Equal(3, row.MasksLeft);
    }

    [Fact]
    public void The_early_stop_fills_only_beyond_the_block()
    {
        // Masks left before the block in the same slot (a block order other than left to right) stay masks.
        var state = PlannerUnitTests.State(DiffusionCanvas.FromPrompt([5, 6], 8), new SamplerOptions { Steps = 4, BlockLength = 4 });
        var row = state.Rows[0];
        (row.Block, row.BlockStart, row.BlockEnd) = (1, 4, 6);
        var policy = new EosStopPolicy(state);
        var filled = new List<CommittedToken>();
        state.Commit(0, 4, 14, 0.5);
        state.Commit(0, 5, 3, 0.5);
        policy.Apply(0, filled);
        Assert.Equal([6, 7, 8, 9], filled.Select(t => t.Position));
        Assert.True(state.IsMasked(state.RowBase(0) + 2));
        Assert.True(state.IsMasked(state.RowBase(0) + 3));
    }

    [Fact]
    public void The_early_stop_needs_an_end_token_the_sampler_committed_and_stays_in_its_slot()
    {
        var template = new CanvasTemplate().AddSlot(2).AddTokens([14]).AddSlot(2);
        var state = PlannerUnitTests.State(DiffusionCanvas.FromTemplate([5, 6], template), new SamplerOptions { Steps = 2 });
        var row = state.Rows[0];
        (row.Block, row.BlockStart, row.BlockEnd) = (0, 2, 4);
        var policy = new EosStopPolicy(state);
        var filled = new List<CommittedToken>();
        state.Commit(0, 2, 3, 0.5);
        state.Commit(0, 3, 3, 0.5);
        (row.BlockStart, row.BlockEnd) = (2, 5); // the fixed EOS at 4 is not a commit
        policy.Apply(0, filled);
        Assert.Empty(filled);

        state.Remask(0, 3);
        state.Commit(0, 3, 14, 0.5);
        (row.BlockStart, row.BlockEnd) = (2, 4);
        policy.Apply(0, filled);
        Assert.Empty(filled); // the EOS is in slot 0, which ends at the block: slot 1 is not filled
        Assert.Equal(2, row.MasksLeft);
    }
}
