namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Reward guidance (best-of-N per step): at every step each row draws <see cref="Candidates"/> candidate commits
/// from the same logits (candidate 0 uses the run's ordinary draw, the others fresh sampling noise and fresh random
/// scores), the scorer rates each, and the best one (the first on ties) is committed. Cost per step and row:
/// N scorer calls and N times the scoring/sampling work over the eligible positions, but no extra denoiser passes,
/// since all candidates share the step's logits. With greedy decoding (temperature 0) and a deterministic score the
/// candidates are identical: use a temperature above 0 or <see cref="Scoring.ScoreKind.Random"/>.
/// </summary>
public sealed class RewardGuidanceOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="scorer">The reward scorer.</param>
    /// <param name="candidates">Candidates per step (at least 1).</param>
    public RewardGuidanceOptions(IRewardScorer scorer, int candidates = 4)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        Scorer = scorer;
        Candidates = candidates;
    }

    /// <summary>The scorer.</summary>
    public IRewardScorer Scorer { get; }

    /// <summary>Candidates per step.</summary>
    public int Candidates { get; }
}
