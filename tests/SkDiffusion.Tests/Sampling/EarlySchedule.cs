using SkDiffusion.Sampling.Schedules;

namespace SkDiffusion.Tests.Sampling;

/// <summary>A schedule that plans every mask gone after its first step (a masked fraction of 1 before it, 0 after).</summary>
internal sealed class EarlySchedule : ICommitSchedule
{
    public int GetCommitCount(int step, int steps, int initialMasks, int maskedNow) => step == 0 ? maskedNow : 0;

    public double MaskedFractionAfter(int step, int steps) => step < 0 ? 1 : 0;
}
