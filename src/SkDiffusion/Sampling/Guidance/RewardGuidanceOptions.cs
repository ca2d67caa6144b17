namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Reward guidance: candidates are drawn, an <see cref="IRewardScorer"/> rates each, and the best one (the first on
/// ties) is kept. <see cref="Mode"/> chooses the unit: <see cref="RewardMode.Step"/> (best of N commits per step from
/// the same logits: N scorer calls and N times the scoring work per step, no extra denoiser passes) or
/// <see cref="RewardMode.Block"/> (best of N rollouts of each block: N times the denoiser passes, one scorer call per
/// rollout). Candidate 0 always uses the run's own draw. With greedy decoding (temperature 0) and a deterministic score
/// the candidates are identical unless <see cref="ExplorationTemperature"/> gives the other candidates noise.
/// </summary>
public sealed class RewardGuidanceOptions
{
    private readonly double? _explorationTemperature;

    /// <summary>Creates the options.</summary>
    /// <param name="scorer">The reward scorer.</param>
    /// <param name="candidates">Candidates per step or per block (at least 1).</param>
    /// <exception cref="ArgumentNullException"><paramref name="scorer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="candidates"/> is below 1.</exception>
    public RewardGuidanceOptions(IRewardScorer scorer, int candidates = 4)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        Scorer = scorer;
        Candidates = candidates;
    }

    /// <summary>The scorer.</summary>
    public IRewardScorer Scorer { get; }

    /// <summary>Candidates per step (<see cref="RewardMode.Step"/>) or rollouts per block (<see cref="RewardMode.Block"/>).</summary>
    public int Candidates { get; }

    /// <summary>Whether candidates are drawn per step (default) or per block.</summary>
    public RewardMode Mode { get; init; } = RewardMode.Step;

    /// <summary>
    /// The sampling temperature of candidates 1..N-1 (candidate 0 keeps <see cref="SamplerOptions.Temperature"/>);
    /// null for the run's temperature. Lets greedy decoding explore alternatives while candidate 0 stays the
    /// unguided answer. Must be finite and at least 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double? ExplorationTemperature
    {
        get => _explorationTemperature;
        init
        {
            if (value is double t && !(t >= 0 && double.IsFinite(t)))
            {
                throw new ArgumentOutOfRangeException(nameof(ExplorationTemperature), t, "ExplorationTemperature must be a finite number at least 0 (e.g. 1.0), or null for the run's temperature.");
            }

            _explorationTemperature = value;
        }
    }
}
