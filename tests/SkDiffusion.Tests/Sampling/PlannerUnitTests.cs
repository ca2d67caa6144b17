using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Internal;
using SkDiffusion.Sampling.Internal.Selection;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// <see cref="RowPlanner"/> and <see cref="CanvasState"/> on small canvases: block progression and step shares, the
/// per-group plan, when a step needs a forward pass, and the state's commit and remask bookkeeping.
/// </summary>
public sealed class PlannerUnitTests
{
    internal static readonly SpecialTokenIds Ids = new(mask: 15, eos: 14, eot: 13, pad: 12);

    internal static CanvasState State(DiffusionCanvas canvas, SamplerOptions options) =>
        new(canvas, Ids, 16, false, options, SelectionRules.Create(options.Selection).NeedsStepPerBlock);

    private static (CanvasState State, RowPlanner Planner) Planner(DiffusionCanvas canvas, SamplerOptions options)
    {
        var state = State(canvas, options);
        return (state, new RowPlanner(state, options, new Remasker(state, options), SelectionRules.Create(options.Selection)));
    }

    private static void CommitBlock(CanvasState state, int r)
    {
        var row = state.Rows[r];
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            if (state.IsMasked(state.RowBase(r) + p))
            {
                state.Commit(r, p, 3, 0.5);
            }
        }
    }

    [Fact]
    public void Blocks_advance_when_empty_and_share_the_steps_remainder_first()
    {
        // Answer 10 in blocks of 4: 4, 4, 2. Eight steps over three blocks: 3, 3, 2.
        var (state, planner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 10), new SamplerOptions { Steps = 8, BlockLength = 4 });
        var row = state.Rows[0];
        var seen = new List<(int Block, int Start, int End, int Steps, int Initial)>();
        for (int b = 0; b < 3; b++)
        {
            row.StepInBlock = 2;
            planner.EnsureBlock(0);
            seen.Add((row.Block, row.BlockStart, row.BlockEnd, row.StepsInBlock, row.GroupInitial[0]));
            Assert.Equal(0, row.StepInBlock);
            planner.EnsureBlock(0); // masks left: stays
            Assert.Equal(b, row.Block);
            CommitBlock(state, 0);
        }

        Assert.Equal([(0, 2, 6, 3, 4), (1, 6, 10, 3, 4), (2, 10, 12, 2, 2)], seen);
        Assert.False(row.Done);
        planner.EnsureBlock(0);
        Assert.True(row.Done);
        Assert.True(state.AllDone());
    }

    [Fact]
    public void A_block_without_masks_is_skipped()
    {
        var (state, planner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 8), new SamplerOptions { Steps = 4, BlockLength = 2 });
        planner.EnsureBlock(0);
        CommitBlock(state, 0);
        state.Commit(0, 4, 3, 0.5);
        state.Commit(0, 5, 3, 0.5);
        planner.EnsureBlock(0);
        Assert.Equal(2, state.Rows[0].Block);
        Assert.Equal(6, state.Rows[0].BlockStart);
        Assert.Equal(1, state.Rows[0].StepsInBlock);
    }

    [Fact]
    public void Rules_without_a_step_per_block_still_get_one_step_per_block()
    {
        var (state, planner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 6), new SamplerOptions { Steps = 1, BlockLength = 2, Selection = SelectionRule.Threshold });
        planner.EnsureBlock(0);
        Assert.Equal(1, state.Rows[0].StepsInBlock);
        CommitBlock(state, 0);
        planner.EnsureBlock(0);
        Assert.Equal(1, state.Rows[0].StepsInBlock);
    }

    [Fact]
    public void The_plan_follows_the_schedule_and_commits_the_rest_at_the_last_step()
    {
        var (state, planner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 4), new SamplerOptions { Steps = 3 });
        planner.EnsureBlock(0);
        Assert.True(planner.PlanRow(0));
        Assert.Equal(2, planner.Planned[planner.PlannedBase(0)]); // 4 over 3: 2, 1, 1
        Assert.Equal(4, state.Rows[0].GroupMasked[0]);
        Assert.True(planner.AnyPlanned(0));

        state.Commit(0, 2, 3, 0.5);
        state.Rows[0].StepInBlock = 2;
        planner.PlanRow(0);
        Assert.Equal(3, state.Rows[0].GroupMasked[0]);
        Assert.Equal(3, planner.Planned[0]);
    }

    [Fact]
    public void A_step_with_nothing_planned_needs_no_pass_unless_the_rule_or_remasking_wants_one()
    {
        var idle = new IdleSchedule();
        var (state, planner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 4), new SamplerOptions { Steps = 4, Schedule = idle });
        planner.EnsureBlock(0);
        Assert.False(planner.PlanRow(0));
        Assert.False(planner.AnyPlanned(0));
        state.Commit(0, 2, 3, 0.5);
        Assert.False(planner.PlanRow(0)); // a committed token but no remasking: still nothing to do

        var (_, threshold) = Planner(DiffusionCanvas.FromPrompt([5, 6], 4), new SamplerOptions { Steps = 4, Schedule = idle, Selection = SelectionRule.Threshold });
        threshold.EnsureBlock(0);
        Assert.True(threshold.PlanRow(0));

        var remasking = new SamplerOptions { Steps = 4, Schedule = idle, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.5 } };
        var (rstate, rplanner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 4), remasking);
        rplanner.EnsureBlock(0);
        Assert.False(rplanner.PlanRow(0)); // nothing committed yet: nothing to remask
        rstate.Commit(0, 3, 3, 0.5);
        Assert.True(rplanner.PlanRow(0));
    }

    [Fact]
    public void Each_slot_is_planned_on_its_own_with_per_slot_ranking()
    {
        var template = new CanvasTemplate().AddSlot(3).AddTokens([7]).AddSlot(1);
        var options = new SamplerOptions { Steps = 3, RankingScope = RankingScope.Slot };
        var (state, planner) = Planner(DiffusionCanvas.FromTemplate([5, 6], template), options);
        planner.EnsureBlock(0);
        Assert.Equal([3, 1], state.Rows[0].GroupInitial);
        Assert.Equal(2, state.MaxGroups);
        planner.PlanRow(0);
        Assert.Equal([1, 1], planner.Planned.Take(2));
        Assert.Equal(1, state.Group(state.RowBase(0) + 6));
        Assert.Equal(0, state.Group(state.RowBase(0) + 2));
    }

    [Fact]
    public void An_empty_group_plans_nothing()
    {
        var template = new CanvasTemplate().AddSlot(2).AddSlot(2);
        var (state, planner) = Planner(DiffusionCanvas.FromTemplate([5, 6], template), new SamplerOptions { Steps = 2, RankingScope = RankingScope.Slot });
        planner.EnsureBlock(0);
        state.Commit(0, 2, 3, 0.5);
        state.Commit(0, 3, 3, 0.5);
        planner.PlanRow(0);
        Assert.Equal([0, 1], planner.Planned.Take(2));
        Assert.True(planner.AnyPlanned(0)); // only the second group has something planned: every group is looked at
    }

    [Fact]
    public void Each_row_plans_into_its_own_groups()
    {
        // Two rows of two slots each: row 1's plan starts after row 0's groups and leaves them as they were.
        var template = new CanvasTemplate().AddSlot(3).AddTokens([7]).AddSlot(1);
        var canvas = DiffusionCanvas.CreateBuilder().Add([5, 6], template).Add([5, 6], new CanvasTemplate().AddSlot(1).AddTokens([7]).AddSlot(3)).Build();
        var (state, planner) = Planner(canvas, new SamplerOptions { Steps = 3, RankingScope = RankingScope.Slot });
        Assert.Equal(2, state.MaxGroups);
        Assert.Equal(2, planner.PlannedBase(1));
        planner.EnsureBlock(0);
        planner.EnsureBlock(1);
        planner.PlanRow(0);
        planner.PlanRow(1);
        Assert.Equal([1, 1, 1, 1], planner.Planned.Take(4));
        state.Rows[1].StepInBlock = 2;
        planner.PlanRow(1);
        Assert.Equal([1, 1, 1, 3], planner.Planned.Take(4));
    }

    [Fact]
    public void A_finished_row_keeps_the_bounds_of_its_last_block()
    {
        var (state, planner) = Planner(DiffusionCanvas.FromPrompt([5, 6], 6), new SamplerOptions { Steps = 2, BlockLength = 4 });
        var row = state.Rows[0];
        planner.EnsureBlock(0);
        CommitBlock(state, 0);
        planner.EnsureBlock(0);
        CommitBlock(state, 0);
        planner.EnsureBlock(0);
        Assert.True(row.Done);
        Assert.Equal((2, 6, 8), (row.Block, row.BlockStart, row.BlockEnd));
    }

    [Fact]
    public void State_tracks_padding_commits_remasks_and_cancellation()
    {
        var canvas = DiffusionCanvas.CreateBuilder().Add([5, 6, 7], 2).Add([5], 2).Build();
        var state = State(canvas, new SamplerOptions { Steps = 2 });
        Assert.Equal(5, state.Length);
        Assert.Equal(5 + 2, state.RowBase(1)); // row 1 is left-padded by two
        Assert.Equal(CanvasState.KindPad, state.Kind[5]);
        Assert.Equal(Ids.Pad, state.Tokens[5]);
        Assert.Equal(2, state.Rows[1].MasksLeft);
        Assert.Equal(2, state.CountMasks(state.RowBase(1), 0, 3));

        state.Rows[1].BlockStart = 1;
        state.Rows[1].BlockEnd = 3;
        Assert.False(state.HasRemaskable(1));
        state.Commit(1, 1, 4, 0.25);
        Assert.True(state.HasRemaskable(1));
        Assert.Equal(1, state.Rows[1].MasksLeft);
        Assert.Equal(0.25, state.CommitProbability[state.RowBase(1) + 1]);
        Assert.Equal(4, state.Remask(1, 1));
        Assert.Equal(Ids.Mask, state.Tokens[state.RowBase(1) + 1]);
        Assert.Equal(2, state.Rows[1].MasksLeft);
        Assert.False(state.HasRemaskable(1));

        Assert.False(state.AllDone());
        state.Rows[0].Done = true;
        state.Cancel();
        Assert.False(state.Rows[0].Cancelled);
        Assert.True(state.Rows[1].Cancelled);
        Assert.True(state.AllDone());
    }

    [Fact]
    public void Row_state_copies_are_deep()
    {
        var row = new RowState { Block = 2, GroupInitial = [1, 2], GroupMasked = [3], GroupCount = [4] };
        var copy = row.Copy();
        row.GroupInitial[0] = 9;
        row.GroupMasked[0] = 9;
        row.GroupCount[0] = 9;
        Assert.Equal([1, 2], copy.GroupInitial);
        Assert.Equal([3], copy.GroupMasked);
        Assert.Equal([4], copy.GroupCount);
        Assert.Equal(2, copy.Block);
        Assert.False(new RowState { StepInBlock = 1, StepsInBlock = 3 }.IsLastStep);
        Assert.True(new RowState { StepInBlock = 2, StepsInBlock = 3 }.IsLastStep);
    }

    /// <summary>A schedule that commits nothing before the last step.</summary>
    private sealed class IdleSchedule : ICommitSchedule
    {
        public int GetCommitCount(int step, int steps, int initialMasks, int maskedNow) => step >= steps - 1 ? maskedNow : 0;

        public double MaskedFractionAfter(int step, int steps) => step < 0 ? 1 : step >= steps - 1 ? 0 : 1 - ((step + 1) / (double)steps);
    }
}
