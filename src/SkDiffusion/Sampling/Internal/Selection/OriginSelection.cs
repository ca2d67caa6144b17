namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// <see cref="Sampling.Selection.SelectionRule.Origin"/> (Dream's default <c>alg="origin"</c>): each candidate
/// independently with probability <c>1 - s/t</c> from the schedule's masked fractions before and after the step, all
/// at the block's last step. Scores are not used.
/// </summary>
internal sealed class OriginSelection : ISelectionRule
{
    private const ulong OriginSalt = 0x4F524947494EUL;
    private readonly Xoshiro256StarStar _rng = new(0);

    public bool FollowsPlan => false;

    public bool NeedsStepPerBlock => true;

    public bool NeedsEntropy => false;

    public void Select(CandidateSet set, in SelectionContext context)
    {
        var row = context.RowState;
        var schedule = context.Options.Schedule;
        double t = schedule.MaskedFractionAfter(row.StepInBlock - 1, row.StepsInBlock);
        double s = schedule.MaskedFractionAfter(row.StepInBlock, row.StepsInBlock);
        double p = row.IsLastStep || t <= 0 ? 1 : 1 - (s / t);
        for (int i = 0; i < set.Count; i++)
        {
            _rng.Reseed(Xoshiro256StarStar.Derive(context.Options.Seed ^ OriginSalt, context.Step, context.Row, set.Position[i], context.Candidate));
            set.Chosen[i] = _rng.NextOpenUnit() < p;
        }
    }
}
