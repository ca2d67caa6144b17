using SkDiffusion.Sampling.Schedules;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// The schedules' masked fractions against their closed forms (ReMDM and Dream's origin rule read them), the counts
/// they give, their rounding guard and clamps, and their argument checks.
/// </summary>
public sealed class ScheduleValueTests
{
    private static int[] Run(ICommitSchedule schedule, int masks, int steps)
    {
        var counts = new int[steps];
        int left = masks;
        for (int s = 0; s < steps; s++)
        {
            counts[s] = schedule.GetCommitCount(s, steps, masks, left);
            left -= counts[s];
        }

        return counts;
    }

    [Fact]
    public void Linear_fractions_fall_by_one_step_share()
    {
        var s = LinearSchedule.Instance;
        Assert.Equal(1.0, s.MaskedFractionAfter(-1, 4));
        Assert.Equal(0.75, s.MaskedFractionAfter(0, 4));
        Assert.Equal(0.5, s.MaskedFractionAfter(1, 4));
        Assert.Equal(0.25, s.MaskedFractionAfter(2, 4));
        Assert.Equal(0.0, s.MaskedFractionAfter(3, 4));
        Assert.Equal(0.0, s.MaskedFractionAfter(4, 4));
        Assert.Equal(1.0, s.MaskedFractionAfter(-1, 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Cosine_and_exponential_fractions_follow_their_formulas(int step)
    {
        double tau = (step + 1) / 4.0;
        Assert.Equal(Math.Cos(Math.PI / 2 * tau), CosineSchedule.Instance.MaskedFractionAfter(step, 4), 15);
        foreach (double rate in new[] { 3.0, 1.0, 0.25 })
        {
            double expected = (Math.Exp(-rate * tau) - Math.Exp(-rate)) / (1 - Math.Exp(-rate));
            Assert.Equal(expected, new ExponentialSchedule(rate).MaskedFractionAfter(step, 4), 15);
        }

        Assert.Equal(1.0, CosineSchedule.Instance.MaskedFractionAfter(-1, 4));
        Assert.Equal(0.0, new ExponentialSchedule().MaskedFractionAfter(3, 4));
    }

    [Fact]
    public void Fraction_schedules_commit_the_masks_above_the_floor_of_the_plan()
    {
        // floor(64 · cos(π/2 · τ)) and floor(64 · (e^(-3τ) - e^-3)/(1 - e^-3)) remain after each step.
        Assert.Equal([2, 3, 6, 8, 10, 11, 12, 12], Run(CosineSchedule.Instance, 64, 8));
        Assert.Equal([22, 14, 10, 7, 5, 3, 2, 1], Run(new ExponentialSchedule(), 64, 8));
        Assert.Equal([6, 5, 4, 3, 2], Run(new ExponentialSchedule(1.0), 20, 5));
    }

    [Fact]
    public void The_floor_is_guarded_against_rounding_just_above_an_integer()
    {
        // 2 · cos(π/3) is 1.0000000000000002 in double: one mask stays planned, so one is committed (not two).
        Assert.Equal(1, CosineSchedule.Instance.GetCommitCount(1, 3, 2, 2));
    }

    [Fact]
    public void Counts_are_clamped_to_the_masks_held()
    {
        // Behind the plan (remasked tokens) a step catches up; ahead of it a step commits nothing; never above maskedNow.
        Assert.Equal(0, CosineSchedule.Instance.GetCommitCount(0, 4, 64, 10));
        Assert.Equal(0, LinearSchedule.Instance.GetCommitCount(0, 4, 10, 5));
        Assert.Equal(0, DreamSchedule.Default.GetCommitCount(0, 4, 10, 0));
        Assert.Equal(7, LinearSchedule.Instance.GetCommitCount(3, 4, 10, 7));
        Assert.Equal(5, CosineSchedule.Instance.GetCommitCount(3, 4, 64, 5));
        Assert.Equal(5, DreamSchedule.Default.GetCommitCount(3, 4, 64, 5));
        Assert.Equal(9, DreamSchedule.Default.GetCommitCount(5, 4, 64, 9));
    }

    [Fact]
    public void A_curve_outside_zero_to_one_is_clamped()
    {
        Assert.Equal(1.0, new CurveSchedule(1.5).MaskedFractionAfter(0, 4));
        Assert.Equal(0.0, new CurveSchedule(-0.5).MaskedFractionAfter(0, 4));
        Assert.Equal(0.5, new CurveSchedule(0.5).MaskedFractionAfter(1, 4));
        Assert.Equal(4, new CurveSchedule(-0.5).GetCommitCount(0, 4, 8, 4));

        // Before the first step everything is masked, whatever the curve says at 0.
        Assert.Equal(1.0, new CurveSchedule(0.5).MaskedFractionAfter(-1, 4));
    }

    [Fact]
    public void Linear_planned_counts_give_the_remainder_to_the_first_steps()
    {
        Assert.Equal([3, 3, 2, 2], Enumerable.Range(0, 4).Select(s => LinearSchedule.PlannedCount(s, 4, 10)));
        Assert.Equal([1, 1, 0, 0, 0], Enumerable.Range(0, 5).Select(s => LinearSchedule.PlannedCount(s, 5, 2)));
    }

    [Fact]
    public void The_last_step_commits_every_mask_left_even_above_the_plan()
    {
        // After remasking, more masks than the block started with can be left at its last step: all are committed,
        // also by a step past the last one.
        foreach (ICommitSchedule schedule in new ICommitSchedule[] { LinearSchedule.Instance, CosineSchedule.Instance, new ExponentialSchedule(), DreamSchedule.Default })
        {
            Assert.Equal(7, schedule.GetCommitCount(3, 4, 4, 7));
            Assert.Equal(5, schedule.GetCommitCount(5, 4, 8, 5));
            Assert.Equal(0.0, schedule.MaskedFractionAfter(3, 4));
            Assert.Equal(1.0, schedule.MaskedFractionAfter(-1, 4));
        }

        Assert.Equal(0.0, LinearSchedule.Instance.MaskedFractionAfter(6, 4));
    }

    [Fact]
    public void Dream_fractions_are_the_next_timestep()
    {
        var s = DreamSchedule.Default;
        Assert.Equal(1.0, s.MaskedFractionAfter(-1, 4));
        Assert.Equal(s.Timestep(1, 4), s.MaskedFractionAfter(0, 4));
        Assert.Equal(s.Timestep(3, 4), s.MaskedFractionAfter(2, 4));
        Assert.Equal(0.0, s.MaskedFractionAfter(3, 4));
        Assert.Equal(0.75025f, s.Timestep(1, 4), 6);
        Assert.Equal(0.2507500f, s.Timestep(3, 4), 6);
        Assert.Equal(0.5f, new DreamSchedule(0.5).Timestep(10, 10));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Dream_refuses_an_eps_outside_zero_to_one(double eps)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DreamSchedule(eps));
        Assert.Equal("eps", ex.ParamName);
        Assert.Contains("eps must lie in (0, 1)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Exponential_refuses_a_rate_that_is_not_finite_and_positive(double rate)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialSchedule(rate));
        Assert.Equal("rate", ex.ParamName);
        Assert.Contains("finite number above 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_parameters_are_kept()
    {
        Assert.Equal(1e-9, new ExponentialSchedule(1e-9).Rate);
        Assert.Equal(0.25, new DreamSchedule(0.25).Eps);
        Assert.Equal(1e-3, DreamSchedule.Default.Eps);
    }

    private sealed class CurveSchedule(double value) : FractionSchedule
    {
        protected override double MaskedFraction(double progress) => value;
    }
}
