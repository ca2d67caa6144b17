namespace SkDiffusion.Sampling.Remasking;

/// <summary>
/// ReMDM remasking settings. Remasking needs <see cref="Selection.SelectionRule.Schedule"/>: a step commits enough
/// masks to get back on the schedule's plan (its planned count plus what earlier steps remasked), and the last step
/// of a block remasks nothing (σ = 0 there), so decoding always ends with no mask. Steps may exceed the answer length
/// (test-time scaling): the extra steps remask and recommit.
/// </summary>
public sealed class RemaskingOptions
{
    /// <summary>The schedule of σ.</summary>
    public RemaskingStrategy Strategy { get; init; } = RemaskingStrategy.Cap;

    /// <summary>η in [0, 1]: the cap (Cap), the scale (Rescale) or the loop-phase remasking probability (Loop). Default 0.02.</summary>
    public double Eta { get; init; } = 0.02;

    /// <summary>Loop only: the time at which the loop phase starts (default 0.55), in (t_off, 1].</summary>
    public double TOn { get; init; } = 0.55;

    /// <summary>Loop only: the time at which the loop phase ends (default 0.05), in [0, t_on).</summary>
    public double TOff { get; init; } = 0.05;

    /// <summary>Loop only: the unmasked fraction held during the loop phase (default 0.9), in (0, 1).</summary>
    public double AlphaOn { get; init; } = 0.9;
}
