namespace SkDiffusion.Sampling.Remasking;

/// <summary>
/// ReMDM remasking schedules (Wang et al., "Remasking Discrete Diffusion Models with Inference-Time Scaling",
/// kuleshov-group/remdm). At each step every committed (non-fixed) token of the current block is turned back into a
/// mask with probability σ, computed from the schedule's <c>alpha_t = 1 - fraction(step - 1)</c> (unmasked fraction
/// before the step) and <c>alpha_s = 1 - fraction(step)</c> (after it).
/// </summary>
public enum RemaskingStrategy
{
    /// <summary>No remasking.</summary>
    None,

    /// <summary>ReMDM-cap: <c>σ = min(eta, (1 - alpha_s) / alpha_t)</c> (<c>σ = eta</c> when <c>alpha_t = 0</c>).</summary>
    Cap,

    /// <summary>ReMDM-rescale: <c>σ = eta · σ_max</c>, <c>σ_max = min(1, (1 - alpha_s) / alpha_t)</c>.</summary>
    Rescale,

    /// <summary>
    /// ReMDM-conf: per-token <c>σ_i = σ_max · softmax_j(-p_j)_i</c> over the remaskable tokens, <c>p_j</c> the
    /// probability the token had when it was committed, so low-confidence tokens are remasked first; the σ_i sum to
    /// σ_max.
    /// </summary>
    Conf,

    /// <summary>
    /// ReMDM-loop: with time t = 1 - step/steps, while t &gt; t_on the block is unmasked to the fraction alpha_on
    /// without remasking; while t_off &lt; t &lt;= t_on the unmasked fraction stays at alpha_on and each committed token
    /// is remasked with probability eta (and as many are committed back); while t &lt;= t_off the rest is unmasked.
    /// </summary>
    Loop,
}
