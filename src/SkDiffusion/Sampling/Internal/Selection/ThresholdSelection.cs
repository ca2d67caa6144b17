namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// <see cref="Sampling.Selection.SelectionRule.Threshold"/> (Fast-dLLM): the best candidate always, plus every other
/// one whose score is at least the threshold.
/// </summary>
internal sealed class ThresholdSelection : RankedSelectionRule
{
    public override bool FollowsPlan => false;

    public override bool NeedsStepPerBlock => false;

    protected override int Take(CandidateSet set, ReadOnlySpan<int> sorted, int planned, in SelectionContext context)
    {
        int take = 1;
        while (take < sorted.Length && set.Score[sorted[take]] >= context.Options.Threshold)
        {
            take++;
        }

        return take;
    }
}
