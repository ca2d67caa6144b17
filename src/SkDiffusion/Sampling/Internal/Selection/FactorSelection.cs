namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// <see cref="Sampling.Selection.SelectionRule.Factor"/> (Fast-dLLM / dInfer <c>get_transfer_index_dynamic</c>): the
/// n-th best (n from 1) is committed while <c>score_n &gt;= 1 - factor/(n+1)</c>; the best always; when only the last
/// candidate fails its bound it is committed too.
/// </summary>
internal sealed class FactorSelection : RankedSelectionRule
{
    public override bool FollowsPlan => false;

    public override bool NeedsStepPerBlock => false;

    protected override int Take(CandidateSet set, ReadOnlySpan<int> sorted, int planned, in SelectionContext context)
    {
        int take = 1;
        while (take < sorted.Length)
        {
            int n = take + 1; // 1-based rank of the candidate under test
            if (set.Score[sorted[take]] < 1 - (context.Options.Factor / (n + 1)))
            {
                break;
            }

            take++;
        }

        return take == sorted.Length - 1 ? sorted.Length : take;
    }
}
