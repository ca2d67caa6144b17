using SkDiffusion.Sampling.Internal.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// Moves each row through its blocks and plans each step's commit count per ranking group from the
/// <see cref="Schedules.ICommitSchedule"/> (LLaDA's blocks: block b+1 only once block b holds no mask; steps per block
/// <c>Steps / blocks</c>, the first <c>Steps % blocks</c> blocks one more).
/// </summary>
internal sealed class RowPlanner
{
    private readonly CanvasState _state;
    private readonly SamplerOptions _options;
    private readonly Remasker _remasker;
    private readonly ISelectionRule _rule;

    public RowPlanner(CanvasState state, SamplerOptions options, Remasker remasker, ISelectionRule rule)
    {
        _state = state;
        _options = options;
        _remasker = remasker;
        _rule = rule;
        Planned = new int[state.Batch * state.MaxGroups];
    }

    /// <summary>The planned commit counts, flat over rows and groups (<see cref="PlannedBase"/>).</summary>
    public int[] Planned { get; }

    /// <summary>Where row <paramref name="r"/>'s groups start in <see cref="Planned"/>.</summary>
    public int PlannedBase(int r) => r * _state.MaxGroups;

    /// <summary>Moves the row to the first block that still holds a mask; marks it done when none does.</summary>
    public void EnsureBlock(int r)
    {
        var row = _state.Rows[r];
        int baseFlat = _state.RowBase(r);
        if (row.Block >= 0 && _state.CountMasks(baseFlat, row.BlockStart, row.BlockEnd) > 0)
        {
            return;
        }

        if (row.Block >= 0 && _remasker.KeepsBlockOpen(r))
        {
            return;
        }

        while (true)
        {
            row.Block++;
            if (row.Block >= row.BlockCount)
            {
                row.Done = true;
                return;
            }

            row.BlockStart = row.PromptLength + (row.Block * row.BlockLength);
            row.BlockEnd = Math.Min(row.BlockStart + row.BlockLength, row.Length);
            if (_state.CountMasks(baseFlat, row.BlockStart, row.BlockEnd) == 0)
            {
                continue;
            }

            row.StepInBlock = 0;
            row.StepsInBlock = Math.Max(1, (_options.Steps / row.BlockCount) + (row.Block < _options.Steps % row.BlockCount ? 1 : 0));
            Array.Clear(row.GroupInitial);
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                if (_state.IsMasked(flat))
                {
                    row.GroupInitial[_state.Group(flat)]++;
                }
            }

            return;
        }
    }

    /// <summary>Counts the row's masks per group and plans this step's counts; true when a forward pass is needed.</summary>
    public bool PlanRow(int r)
    {
        var row = _state.Rows[r];
        int baseFlat = _state.RowBase(r);
        Array.Clear(row.GroupMasked);
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            int flat = baseFlat + p;
            if (_state.IsMasked(flat))
            {
                row.GroupMasked[_state.Group(flat)]++;
            }
        }

        bool any = false;
        int at = PlannedBase(r);
        for (int g = 0; g < row.GroupMasked.Length; g++)
        {
            int k = PlannedCount(row, g); // 0 for a group without masks: every count is clamped to the masks held
            Planned[at + g] = k;
            any |= k > 0;
        }

        if (!_rule.FollowsPlan)
        {
            return true;
        }

        return any || (_remasker.Sigma(row) > 0 && _state.HasRemaskable(r));
    }

    /// <summary>Whether the plan of row <paramref name="r"/> commits anything in this step.</summary>
    public bool AnyPlanned(int r)
    {
        int at = PlannedBase(r);
        for (int g = 0; g < _state.Rows[r].GroupMasked.Length; g++)
        {
            if (Planned[at + g] > 0)
            {
                return true;
            }
        }

        return false;
    }

    private int PlannedCount(RowState row, int g)
    {
        int maskedNow = row.GroupMasked[g];
        if (row.IsLastStep)
        {
            return maskedNow;
        }

        if (_remasker.PlannedCount(row, g) is int loop)
        {
            return loop;
        }

        int initial = Math.Max(row.GroupInitial[g], 1);
        return Math.Clamp(_options.Schedule.GetCommitCount(row.StepInBlock, row.StepsInBlock, initial, maskedNow), 0, maskedNow);
    }
}
