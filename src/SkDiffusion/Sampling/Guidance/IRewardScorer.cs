namespace SkDiffusion.Sampling.Guidance;

/// <summary>Scores candidate canvases for reward guidance; the sampler keeps the highest-scored candidate.</summary>
public interface IRewardScorer
{
    /// <summary>Scores one candidate (higher is better).</summary>
    /// <param name="candidate">The row's canvas with the candidate's commits applied.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The reward.</returns>
    ValueTask<double> ScoreAsync(RewardCandidate candidate, CancellationToken cancellationToken);
}
