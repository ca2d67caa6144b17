namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// A schedule given by a masked-fraction curve f(τ), τ = (step + 1) / steps: after a step,
/// <c>floor(initialMasks · f(τ))</c> masks remain planned; the step commits the masks above that plan.
/// </summary>
public abstract class FractionSchedule : ICommitSchedule
{
    /// <summary>The fraction still masked at progress <paramref name="progress"/> (1 at 0, 0 at 1, non-increasing).</summary>
    /// <param name="progress">τ in [0, 1].</param>
    protected abstract double MaskedFraction(double progress);

    /// <inheritdoc />
    public int GetCommitCount(int step, int steps, int initialMasks, int maskedNow)
    {
        // At the last step the plan leaves nothing masked (MaskedFractionAfter is 0), so every mask left is committed.
        int plannedRemaining = (int)Math.Floor((initialMasks * MaskedFractionAfter(step, steps)) + 1e-9);
        return Math.Clamp(maskedNow - plannedRemaining, 0, maskedNow);
    }

    /// <inheritdoc />
    public double MaskedFractionAfter(int step, int steps) =>
        step < 0 ? 1.0 : step >= steps - 1 ? 0.0 : Math.Clamp(MaskedFraction((step + 1) / (double)steps), 0.0, 1.0);
}
