namespace SkDiffusion.Sampling.Scoring;

/// <summary>How a masked position's candidate token is scored; higher always means "commit earlier".</summary>
public enum ScoreKind
{
    /// <summary>The probability of the chosen token (LLaDA <c>low_confidence</c>, Dream <c>maskgit_plus</c>).</summary>
    Confidence,

    /// <summary>The top-1 probability minus the top-2 probability (Dream <c>topk_margin</c>).</summary>
    Margin,

    /// <summary>
    /// Negative entropy <c>Σ p log p</c> (Dream <c>entropy</c>): at most 0, higher = more certain. Positions with a
    /// peaked distribution are committed first (not the most uncertain ones, as llama.cpp's inverted mode does).
    /// </summary>
    NegativeEntropy,

    /// <summary>A uniform random number from the seeded generator (LLaDA <c>random</c> remasking).</summary>
    Random,
}
