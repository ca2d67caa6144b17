namespace SkDiffusion.Sampling;

/// <summary>
/// Refresh intervals of <see cref="CacheMode.Delayed"/> (dKV-Cache) and <see cref="CacheMode.Adaptive"/>
/// (dLLM-Cache), counted in denoiser calls.
/// </summary>
public sealed class CacheRefreshOptions
{
    /// <summary>
    /// Delayed: a full pass every this many calls. Adaptive: the whole answer runs every this many calls. At least 1;
    /// 1 makes every call a full (Delayed) or whole-answer (Adaptive) pass. Default 8.
    /// </summary>
    public int Interval { get; set; } = 8;

    /// <summary>Adaptive: a full pass (prompt included) every this many calls, at least 1. Default 32.</summary>
    public int PromptInterval { get; set; } = 32;

    /// <summary>
    /// Adaptive: the share of the answer positions a step runs besides the current blocks' masks, in [0, 1]. 1 runs
    /// the whole answer every step. Default 0.25.
    /// </summary>
    public double ResponseFraction { get; set; } = 0.25;

    /// <summary>Checks the values; throws naming the option and the fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (Interval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "CacheRefresh.Interval must be at least 1 (1 refreshes at every call).");
        }

        if (PromptInterval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PromptInterval), PromptInterval, "CacheRefresh.PromptInterval must be at least 1 (1 runs the whole canvas at every call).");
        }

        if (!(ResponseFraction >= 0 && ResponseFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ResponseFraction), ResponseFraction, "CacheRefresh.ResponseFraction must lie in [0, 1].");
        }
    }
}
