namespace SkDiffusion.Sampling.Internal.Selection;

/// <summary>
/// <see cref="Sampling.Selection.SelectionRule.Schedule"/> (LLaDA, Dream): the schedule's top k. With a position
/// temperature τ (Dream's <c>alg_temp</c>) the ranking key is <c>score/τ + Gumbel</c>, i.e. the k positions are drawn
/// without replacement with probabilities <c>softmax(score/τ)</c> (the Gumbel-top-k trick).
/// </summary>
internal sealed class ScheduleSelection : RankedSelectionRule
{
    private const ulong PositionSalt = 0x5EEDA17E3DUL;
    private readonly Xoshiro256StarStar _rng = new(0);

    public override bool FollowsPlan => true;

    public override bool NeedsStepPerBlock => true;

    protected override double RankKey(CandidateSet set, int i, in SelectionContext context)
    {
        double key = set.Score[i];
        double tau = context.Options.PositionTemperature;
        if (tau > 0 && !double.IsNegativeInfinity(key))
        {
            _rng.Reseed(Xoshiro256StarStar.Derive(context.Options.Seed ^ PositionSalt, context.Step, context.Row, set.Position[i], 0));
            key = (key / tau) - Math.Log(-Math.Log(_rng.NextOpenUnit()));
        }

        return key;
    }

    protected override int Take(CandidateSet set, ReadOnlySpan<int> sorted, int planned, in SelectionContext context) => planned;
}
