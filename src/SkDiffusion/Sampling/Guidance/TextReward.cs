namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// A reward over decoded text (a verifier): higher is better, conventionally in [0, 1]. Turned into an
/// <see cref="IRewardScorer"/> for the sampler by <see cref="TextRewardScorer"/>, which decodes each candidate. The
/// library ships <see cref="CopyFidelityReward"/>, <see cref="RegexReward"/>, <see cref="JsonSchemaReward"/> and
/// <see cref="OnnxClassifierReward"/>; <see cref="FromDelegate"/> wraps a function.
/// </summary>
public abstract class TextReward
{
    /// <summary>A short name for logs and tables (e.g. <c>copy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Scores one candidate (higher is better).</summary>
    /// <param name="text">The prompt and the answer, with gaps where positions are still masked.</param>
    /// <returns>The reward.</returns>
    public abstract double Score(RewardText text);

    /// <summary>Scores one candidate asynchronously (rewards that call out, e.g. a Semantic Kernel function, override it).</summary>
    /// <param name="text">The prompt and the answer, with gaps where positions are still masked.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The reward.</returns>
    public virtual ValueTask<double> ScoreAsync(RewardText text, CancellationToken cancellationToken) => ValueTask.FromResult(Score(text));

    /// <summary>A reward computed by <paramref name="score"/>.</summary>
    /// <param name="score">The function; it must handle partial answers (<see cref="RewardText.IsComplete"/> false).</param>
    /// <param name="name">A short name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="score"/> is null.</exception>
    public static TextReward FromDelegate(Func<RewardText, double> score, string name = "delegate")
    {
        ArgumentNullException.ThrowIfNull(score);
        return new DelegateTextReward(score, name);
    }
}
