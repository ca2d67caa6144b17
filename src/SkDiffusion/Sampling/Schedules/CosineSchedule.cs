namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// MaskGIT's cosine schedule: the masked fraction after progress τ is <c>cos(π/2 · τ)</c>, so few tokens are
/// committed in the first steps and many in the last ones.
/// </summary>
public sealed class CosineSchedule : FractionSchedule
{
    /// <summary>The shared instance.</summary>
    public static CosineSchedule Instance { get; } = new();

    /// <inheritdoc />
    protected override double MaskedFraction(double progress) => Math.Cos(Math.PI / 2 * progress);
}
