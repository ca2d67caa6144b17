namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// How many masked positions a schedule-driven step commits. A schedule runs over the steps of one block (or of one
/// template slot within a block when ranking per slot); its last step always commits every remaining mask.
/// </summary>
public interface ICommitSchedule
{
    /// <summary>The number of positions to commit at <paramref name="step"/>.</summary>
    /// <param name="step">The step within the block, 0-based.</param>
    /// <param name="steps">The block's step count (at least 1).</param>
    /// <param name="initialMasks">Masks the block (or slot share) held when it started.</param>
    /// <param name="maskedNow">Masks it holds now (may exceed the plan when remasking put some back).</param>
    /// <returns>A count in <c>[0, maskedNow]</c>; <paramref name="maskedNow"/> at the last step.</returns>
    int GetCommitCount(int step, int steps, int initialMasks, int maskedNow);

    /// <summary>
    /// The nominal fraction of the block still masked after <paramref name="step"/> (1 before the first step, 0 after
    /// the last). Remasking (ReMDM) reads its <c>alpha_t = 1 - fraction(step - 1)</c> and
    /// <c>alpha_s = 1 - fraction(step)</c> from it.
    /// </summary>
    /// <param name="step">The step within the block, -1 to <paramref name="steps"/> - 1.</param>
    /// <param name="steps">The block's step count.</param>
    double MaskedFractionAfter(int step, int steps);
}
