using SkDiffusion.Sampling.Internal;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// The parts of a sampling run's state that block rollouts save and restore: the flat per-position arrays (conditional
/// rows first, <paramref name="Length"/> positions per row), the row states, and a setter of the run's step counter.
/// </summary>
internal readonly record struct RolloutAccess(
    long[] Tokens,
    byte[] Kinds,
    bool[] Committed,
    double[] CommitProbability,
    RowState[] Rows,
    int Length,
    int MaskId,
    byte FilledKind,
    Action<int> SetStep);
