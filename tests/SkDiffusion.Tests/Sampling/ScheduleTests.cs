using SkDiffusion.Sampling.Schedules;

namespace SkDiffusion.Tests.Sampling;

public sealed class ScheduleTests
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

        Assert.Equal(0, left);
        return counts;
    }

    [Fact]
    public void LinearSplitsTenOverFourAsLLaDA() => Assert.Equal([3, 3, 2, 2], Run(LinearSchedule.Instance, 10, 4));

    [Fact]
    public void LinearWithMoreStepsThanMasksLeavesLaterStepsEmpty() => Assert.Equal([1, 1, 1, 0, 0], Run(LinearSchedule.Instance, 3, 5));

    [Fact]
    public void LinearCatchesUpAfterRemasking()
    {
        // Plan for 10 over 4 is 3,3,2,2: after step 1 four masks should remain; with 2 extra remasked, 6 + 2 remain.
        Assert.Equal(4, LinearSchedule.Instance.GetCommitCount(1, 4, 10, 8));
        Assert.Equal(3, LinearSchedule.PlannedCount(0, 4, 10));
        Assert.Equal(2, LinearSchedule.PlannedCount(3, 4, 10));
    }

    [Theory]
    [InlineData(10, 4, new[] { 2, 2, 2, 4 })]
    [InlineData(32, 8, new[] { 3, 4, 4, 4, 4, 4, 4, 5 })]
    [InlineData(7, 3, new[] { 2, 2, 3 })]
    [InlineData(100, 10, new[] { 9, 10, 10, 10, 10, 10, 10, 10, 10, 11 })]
    public void DreamMatchesReferenceCounts(int masks, int steps, int[] expected) => Assert.Equal(expected, Run(DreamSchedule.Default, masks, steps));

    [Fact]
    public void DreamTimestepsAreLinspaceFromOneToEps()
    {
        var s = DreamSchedule.Default;
        Assert.Equal(1f, s.Timestep(0, 4));
        Assert.Equal(0.001f, s.Timestep(4, 4));
        Assert.Equal(0.5005f, s.Timestep(2, 4), 6);
    }

    [Fact]
    public void CosineCommitsFewEarlyAndManyLate()
    {
        var counts = Run(CosineSchedule.Instance, 64, 8);
        Assert.True(counts[0] < counts[^1], string.Join(",", counts));
        Assert.Equal(64, counts.Sum());
    }

    [Fact]
    public void ExponentialCommitsManyEarly()
    {
        var counts = Run(new ExponentialSchedule(3), 64, 8);
        Assert.True(counts[0] > counts[^1], string.Join(",", counts));
        Assert.Equal(64, counts.Sum());
    }

    [Fact]
    public void MaskedFractionsRunFromOneToZero()
    {
        foreach (ICommitSchedule s in new ICommitSchedule[] { LinearSchedule.Instance, CosineSchedule.Instance, new ExponentialSchedule(), DreamSchedule.Default })
        {
            Assert.Equal(1.0, s.MaskedFractionAfter(-1, 5));
            Assert.Equal(0.0, s.MaskedFractionAfter(4, 5));
            for (int i = 0; i < 4; i++)
            {
                Assert.True(s.MaskedFractionAfter(i, 5) <= s.MaskedFractionAfter(i - 1, 5));
            }
        }
    }

    [Fact]
    public void BadScheduleArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamSchedule(1));
    }
}
