namespace SkDiffusion.Sampling.Schedules;

/// <summary>
/// A geometric (exponential) schedule: the masked fraction decays as
/// <c>(e^(-rate·τ) - e^(-rate)) / (1 - e^(-rate))</c>, so many tokens are committed early and few late; a larger
/// <see cref="Rate"/> front-loads more.
/// </summary>
public sealed class ExponentialSchedule : FractionSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="rate">The decay rate (greater than 0; default 3).</param>
    public ExponentialSchedule(double rate = 3.0)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be a finite number above 0.");
        }

        Rate = rate;
    }

    /// <summary>The decay rate.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    protected override double MaskedFraction(double progress)
    {
        double end = Math.Exp(-Rate);
        return (Math.Exp(-Rate * progress) - end) / (1 - end);
    }
}
