namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// LLaDA's even split (<c>get_num_transfer_tokens</c>): the block's masks divided evenly over its steps, the
/// remainder going to the first steps (10 masks over 4 steps: 3, 3, 2, 2). With more steps than masks the later
/// steps commit nothing. When remasking has put tokens back, a step commits enough to get back on the plan.
/// </summary>
public sealed class LinearSchedule : ICommitSchedule
{
    /// <summary>The shared instance.</summary>
    public static LinearSchedule Instance { get; } = new();

    /// <summary>The count LLaDA plans for <paramref name="step"/> given <paramref name="initialMasks"/> masks.</summary>
    /// <param name="step">The step, 0-based.</param>
    /// <param name="steps">Steps in the block.</param>
    /// <param name="initialMasks">Masks at the block start.</param>
    public static int PlannedCount(int step, int steps, int initialMasks)
    {
        int baseCount = initialMasks / steps;
        int remainder = initialMasks % steps;
        return baseCount + (step < remainder ? 1 : 0);
    }

    /// <inheritdoc />
    public int GetCommitCount(int step, int steps, int initialMasks, int maskedNow)
    {
        // By the last step the plan has committed all initial masks, so every mask left is committed.
        int committedByPlan = ((initialMasks / steps) * (step + 1)) + Math.Min(step + 1, initialMasks % steps);
        int plannedRemaining = initialMasks - committedByPlan;
        return Math.Clamp(maskedNow - plannedRemaining, 0, maskedNow);
    }

    /// <inheritdoc />
    public double MaskedFractionAfter(int step, int steps) => Math.Max(0.0, 1.0 - ((step + 1) / (double)steps));
}
