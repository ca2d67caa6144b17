namespace SkDiffusion.Sampling.Guidance;

/// <summary>How reward guidance spends its candidates.</summary>
public enum RewardMode
{
    /// <summary>
    /// Best of N per step: every step draws N candidate commits from the same logits and keeps the best-scored one.
    /// No extra denoiser passes; the scorer sees partial canvases (most positions still masked).
    /// </summary>
    Step,

    /// <summary>
    /// Best of N per block: from the state at the start of each semi-autoregressive block the block is decoded N times
    /// (rollout 0 with the run's own noise, the others with fresh noise), each completed block is scored, and the best
    /// one is kept. About N times the denoiser passes; the scorer sees every block complete.
    /// </summary>
    Block,
}
