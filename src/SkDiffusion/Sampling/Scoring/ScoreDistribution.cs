namespace SkDiffusion.Sampling.Scoring;

/// <summary>Which distribution the <see cref="ScoreKind"/> is computed from.</summary>
public enum ScoreDistribution
{
    /// <summary>
    /// The noise-free model distribution: softmax of the processed logits (after guidance, logit processors and EOS
    /// suppression) at temperature 1, without top-k/top-p filtering. This is LLaDA's and Fast-dLLM's rule.
    /// </summary>
    Model,

    /// <summary>
    /// The sampling distribution, as Dream does: softmax of the processed logits divided by the temperature (when it
    /// is above 0), after top-p and top-k filtering.
    /// </summary>
    Sampling,
}
