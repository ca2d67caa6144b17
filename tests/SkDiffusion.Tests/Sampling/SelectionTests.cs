using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class SelectionTests
{
    private static int[] Positions(SamplingStepEvent e) => [.. e.Committed.Select(c => c.Position).Order()];

    [Fact]
    public async Task ScheduleCommitsLLaDASplitPerStep()
    {
        var conf = Enumerable.Range(0, 10).Select(i => 0.3 + (i * 0.05)).ToArray();
        var (result, events) = await RunAsync(Confidences(conf), DiffusionCanvas.FromPrompt(Prompt, 10), new SamplerOptions { Steps = 4 });
        Assert.Equal([3, 3, 2, 2], events.Select(e => e.Committed.Count));
        Assert.Equal(4, result.Nfe);

        // Highest confidence first: the last three positions go in the first step.
        Assert.Equal([9, 10, 11], Positions(events[0]));
    }

    [Fact]
    public async Task DreamScheduleCommitsReferenceCounts()
    {
        var conf = Enumerable.Repeat(0.5, 10).ToArray();
        var (_, events) = await RunAsync(Confidences(conf), DiffusionCanvas.FromPrompt(Prompt, 10), new SamplerOptions { Steps = 4, Schedule = DreamSchedule.Default });
        Assert.Equal([2, 2, 2, 4], events.Select(e => e.Committed.Count));
    }

    [Fact]
    public async Task ThresholdCommitsEveryPositionAboveItPlusTopOne()
    {
        var (result, events) = await RunAsync(Confidences([0.95, 0.5, 0.92, 0.3]), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 4, Selection = SelectionRule.Threshold, Threshold = 0.9 });
        Assert.Equal([2, 4], Positions(events[0]));
        Assert.Equal([3], Positions(events[1]));  // nothing above 0.9: only the top-1 (0.5)
        Assert.Equal([5], Positions(events[2]));
        Assert.Equal(3, result.Nfe);
    }

    [Fact]
    public async Task ThresholdIsInclusive()
    {
        var (_, events) = await RunAsync(Confidences([0.9, 0.9, 0.95]), DiffusionCanvas.FromPrompt(Prompt, 3), new SamplerOptions { Selection = SelectionRule.Threshold, Threshold = 0.9 });
        Assert.Single(events);
        Assert.Equal(3, events[0].Committed.Count);
    }

    [Fact]
    public async Task FactorRuleAcceptsNthBestWhileAboveOneMinusFactorOverNPlusOne()
    {
        // Sorted 0.99, 0.8, 0.7, 0.3 with factor 1: n=2 needs 1-1/3=0.667 (0.8 passes), n=3 needs 0.75 (0.7 fails).
        var (result, events) = await RunAsync(Confidences([0.7, 0.99, 0.3, 0.8]), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Selection = SelectionRule.Factor, Factor = 1 });
        Assert.Equal([3, 5], Positions(events[0]));

        // 0.7 is the best left (always accepted); 0.3 < 0.667 fails, but as the last candidate it is committed too.
        Assert.Equal([2, 4], Positions(events[1]));
        Assert.Equal(2, result.Nfe);
    }

    [Fact]
    public async Task FactorRuleKeepsAFailingCandidateThatIsNotTheLast()
    {
        // Sorted 0.99, 0.3, 0.2: 0.3 fails n=2 (0.667) and is not the last, so only the best goes.
        var (_, events) = await RunAsync(Confidences([0.2, 0.99, 0.3]), DiffusionCanvas.FromPrompt(Prompt, 3), new SamplerOptions { Selection = SelectionRule.Factor, Factor = 1 });
        Assert.Equal([3], Positions(events[0]));
    }

    [Fact]
    public async Task LargerFactorAcceptsMore()
    {
        // factor 2: n=2 needs 1-2/3=0.333, n=3 needs 0.5 (both pass); n=4 needs 0.6: 0.3 fails and is not the last.
        var (_, events) = await RunAsync(Confidences([0.7, 0.99, 0.3, 0.8, 0.1]), DiffusionCanvas.FromPrompt(Prompt, 5), new SamplerOptions { Selection = SelectionRule.Factor, Factor = 2 });
        Assert.Equal([2, 3, 5], Positions(events[0]));
    }

    [Fact]
    public async Task ConfidentDecodingCommitsAllAboveThreshold()
    {
        var (_, events) = await RunAsync(Confidences([0.95, 0.5, 0.92, 0.3]), DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 4, Selection = SelectionRule.Confident, Threshold = 0.9 });
        Assert.Equal([2, 4], Positions(events[0]));
    }

    [Fact]
    public async Task ConfidentDecodingFallsBackToTheSchedule()
    {
        // Nothing passes 0.9: the even split's 3 for 10 masks over 4 steps.
        var (result, events) = await RunAsync(Confidences(Enumerable.Repeat(0.5, 10).ToArray()), DiffusionCanvas.FromPrompt(Prompt, 10), new SamplerOptions { Steps = 4, Selection = SelectionRule.Confident, Threshold = 0.9 });
        Assert.Equal([3, 3, 2, 2], events.Select(e => e.Committed.Count));
        Assert.Equal(4, result.Nfe);
    }

    [Fact]
    public async Task BlocksAreDecodedInOrder()
    {
        // Later positions are more confident, so without blocks they would go first.
        var conf = Enumerable.Range(0, 8).Select(i => 0.2 + (i * 0.1)).ToArray();
        var (result, events) = await RunAsync(Confidences(conf), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8, BlockLength = 4 });
        var order = events.SelectMany(e => e.Committed).Select(c => c.Position).ToList();
        Assert.All(order.Take(4), p => Assert.InRange(p, 2, 5));
        Assert.All(order.Skip(4), p => Assert.InRange(p, 6, 9));
        Assert.Equal(8, result.Nfe);
    }

    [Fact]
    public async Task BlockLengthNotDividingTheAnswerLeavesAShorterLastBlock()
    {
        var conf = Enumerable.Range(0, 10).Select(i => 0.2 + (i * 0.05)).ToArray();
        var (result, events) = await RunAsync(Confidences(conf), DiffusionCanvas.FromPrompt(Prompt, 10), new SamplerOptions { Steps = 3, BlockLength = 4 });
        Assert.Equal(3, result.Nfe);
        Assert.Equal([4, 4, 2], events.Select(e => e.Committed.Count));
    }

    [Fact]
    public async Task ThresholdRuleRespectsBlocks()
    {
        var conf = Enumerable.Range(0, 8).Select(i => i < 4 ? 0.5 : 0.99).ToArray();
        var (_, events) = await RunAsync(Confidences(conf), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { BlockLength = 4, Selection = SelectionRule.Threshold });
        Assert.Equal([1, 1, 1, 1, 4], events.Select(e => e.Committed.Count));
    }

    [Fact]
    public async Task PerSlotRankingGivesEachSlotItsShare()
    {
        // Slot A (positions 2-5) is far more confident than slot B (7-10).
        var template = new CanvasTemplate().AddSlot(4).AddTokens([9]).AddSlot(4);
        var denoiser = ByPosition((p, logits) => FakeDenoiser.Peaked(logits, 3, p < 6 ? 0.9 : 0.4));
        var canvas = DiffusionCanvas.FromTemplate(Prompt, template);

        var (_, perSlot) = await RunAsync(denoiser, canvas, new SamplerOptions { Steps = 4, RankingScope = RankingScope.Slot });
        Assert.All(perSlot, e => Assert.Equal(2, e.Committed.Count));
        Assert.All(perSlot, e => Assert.Single(e.Committed, c => c.Position < 6));

        var (_, canvasWide) = await RunAsync(denoiser, canvas, new SamplerOptions { Steps = 4 });
        Assert.All(canvasWide[0].Committed, c => Assert.True(c.Position < 6));
    }

    [Fact]
    public async Task PerSlotThresholdCommitsEachSlotsTopOne()
    {
        var template = new CanvasTemplate().AddSlot(3).AddTokens([9]).AddSlot(3);
        var denoiser = ByPosition((p, logits) => FakeDenoiser.Peaked(logits, 3, p < 5 ? 0.95 : 0.4));
        var (_, events) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Selection = SelectionRule.Threshold, RankingScope = RankingScope.Slot });
        Assert.Equal(4, events[0].Committed.Count); // 3 of slot A above 0.9, plus slot B's top-1
    }
}
