namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// Dream's schedule (<c>generation_utils.py</c>): <c>timesteps = linspace(1, eps, steps + 1)</c> and step i commits
/// <c>int(maskedNow · (1 - s/t))</c> with <c>t = timesteps[i]</c>, <c>s = timesteps[i + 1]</c>, truncated toward
/// zero; the last step commits every remaining mask. As in Dream, the linspace and the product are computed in
/// single precision (torch's float32 linspace: first half from the start, second half from the end), so counts match
/// the reference bit for bit. Example: 10 masks over 4 steps with eps 1e-3 commit 2, 2, 2, 4.
/// </summary>
public sealed class DreamSchedule : ICommitSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="eps">The final timestep (Dream's default 1e-3), in (0, 1).</param>
    public DreamSchedule(double eps = 1e-3)
    {
        if (!(eps > 0 && eps < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must lie in (0, 1); Dream uses 1e-3.");
        }

        Eps = eps;
    }

    /// <summary>Dream's default (eps = 1e-3).</summary>
    public static DreamSchedule Default { get; } = new();

    /// <summary>The final timestep.</summary>
    public double Eps { get; }

    /// <summary>Entry <paramref name="index"/> of <c>torch.linspace(1, eps, steps + 1)</c> in float32.</summary>
    /// <param name="index">0 to <paramref name="steps"/>.</param>
    /// <param name="steps">Sampling steps.</param>
    public float Timestep(int index, int steps)
    {
        int count = steps + 1;
        float start = 1f;
        float end = (float)Eps;
        float delta = (end - start) / (count - 1);
        int halfway = count / 2;
        return index < halfway ? start + (delta * index) : end - (delta * (count - index - 1));
    }

    /// <inheritdoc />
    public int GetCommitCount(int step, int steps, int initialMasks, int maskedNow)
    {
        if (step >= steps - 1)
        {
            return maskedNow;
        }

        float t = Timestep(step, steps);
        float s = Timestep(step + 1, steps);
        float ratio = 1f - (s / t);
        float count = maskedNow * ratio;
        return Math.Clamp((int)count, 0, maskedNow);
    }

    /// <inheritdoc />
    public double MaskedFractionAfter(int step, int steps) =>
        step < 0 ? 1.0 : step >= steps - 1 ? 0.0 : Timestep(step + 1, steps);
}
