namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// <see cref="Sampling.Selection.SelectionRule.Confident"/> (Dimple): every candidate scored strictly above the
/// threshold, else the schedule's k (at least 1); everything at the block's last scheduled step.
/// </summary>
internal sealed class ConfidentSelection : RankedSelectionRule
{
    public override bool FollowsPlan => false;

    public override bool NeedsStepPerBlock => true;

    protected override int Take(CandidateSet set, ReadOnlySpan<int> sorted, int planned, in SelectionContext context)
    {
        if (context.RowState.IsLastStep)
        {
            return sorted.Length;
        }

        int take = 0;
        while (take < sorted.Length && set.Score[sorted[take]] > context.Options.Threshold)
        {
            take++;
        }

        return take > 0 ? take : Math.Max(1, planned);
    }
}
