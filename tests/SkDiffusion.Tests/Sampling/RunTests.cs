using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class RunTests
{
    private static FakeDenoiser Rising() => ByPosition((p, l) => FakeDenoiser.Peaked(l, 1 + (p % 9), 0.3 + (p * 0.01)));

    [Fact]
    public async Task NfeCountsForwardPasses()
    {
        var denoiser = Rising();
        var (result, events) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 10), new SamplerOptions { Steps = 4 });
        Assert.Equal(4, result.Nfe);
        Assert.Equal(4, result.Steps);
        Assert.Equal(4, denoiser.Calls);
        Assert.Equal([1, 2, 3, 4], events.Select(e => e.Nfe));
        Assert.Equal([7, 4, 2, 0], events.Select(e => e.MasksLeft));
    }

    [Fact]
    public async Task StepsWithNothingToCommitAreSkipped()
    {
        var denoiser = Rising();
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromPrompt(Prompt, 4), new SamplerOptions { Steps = 16 });
        Assert.Equal(4, result.Nfe);
        Assert.DoesNotContain(SamplingTestIds.Mask, result.Sequences[0].Tokens);
    }

    [Fact]
    public async Task CancellationBetweenStepsReturnsAPartialResult()
    {
        using var cts = new CancellationTokenSource();
        var options = new SamplerOptions { Steps = 8, OnStep = e => { if (e.Step == 1) { cts.Cancel(); } } };
        var result = await Sampler(Rising()).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 8), options, cts.Token);
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal(FinishReason.Cancelled, result.Sequences[0].FinishReason);
        Assert.Equal(2, result.Nfe);
        Assert.Equal(6, result.Sequences[0].Tokens.Count(t => t == SamplingTestIds.Mask));
    }

    [Fact]
    public async Task CancellationReachesTheDenoiser()
    {
        using var cts = new CancellationTokenSource();
        var denoiser = Rising();
        denoiser.BeforeCall = call => { if (call == 2) { cts.Cancel(); } };
        var result = await Sampler(denoiser).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8 }, cts.Token);
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal(2, result.Nfe);
    }

    [Fact]
    public async Task StreamYieldsStepEventsThenTheResult()
    {
        var progress = new List<SamplingStepEvent>();
        var options = new SamplerOptions { Steps = 3, Progress = new SyncProgress(progress.Add) };
        var streamed = new List<SamplingStepEvent>();
        await foreach (var e in Sampler(Rising()).StreamAsync(DiffusionCanvas.FromPrompt(Prompt, 6), options))
        {
            streamed.Add(e);
        }

        Assert.Equal(4, streamed.Count);
        Assert.Equal(3, progress.Count);
        Assert.True(streamed[^1].IsFinal);
        Assert.False(streamed[0].IsFinal);
        Assert.Equal(3, streamed[^1].Result!.Nfe);
        Assert.Equal([0, 1, 2], streamed.Take(3).Select(e => e.Step));
        Assert.All(streamed.Take(3), e => Assert.Equal(2, e.Committed.Count));
    }

    [Fact]
    public async Task BatchRowsAreLeftPaddedAndDecodedIndependently()
    {
        var denoiser = Rising();
        var canvas = DiffusionCanvas.CreateBuilder().Add([5, 6, 7], 4).Add([5], 3).Build();
        Assert.Equal(7, canvas.SequenceLength);
        Assert.True(canvas.HasPadding);
        var (result, _) = await RunAsync(denoiser, canvas, new SamplerOptions { Steps = 4, TruncateAtEos = false });

        var (tokens, mask, batch, length) = denoiser.Inputs[0];
        Assert.Equal(2, batch);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1], mask);
        Assert.Equal([SamplingTestIds.Pad, SamplingTestIds.Pad, SamplingTestIds.Pad, 5], tokens[7..11]);

        var (alone, _) = await RunAsync(Rising(), DiffusionCanvas.FromPrompt([5], 3), new SamplerOptions { Steps = 4, TruncateAtEos = false });
        Assert.Equal(alone.Sequences[0].Tokens, result.Sequences[1].Tokens);
        Assert.Equal(4, result.Sequences[1].Tokens.Count);
        Assert.Equal(7, result.Sequences[0].Tokens.Count);
        Assert.DoesNotContain(SamplingTestIds.Mask, result.Sequences[0].Tokens);
    }

    [Fact]
    public async Task RowWithoutMasksFinishesImmediately()
    {
        var denoiser = Rising();
        var canvas = DiffusionCanvas.FromTemplate(Prompt, new CanvasTemplate().AddSlot(1));
        var (result, _) = await RunAsync(denoiser, canvas, new SamplerOptions { Steps = 1 });
        Assert.Equal(1, result.Nfe);
    }

    private static SamplerOptions With(Action<SamplerOptions> set)
    {
        var o = new SamplerOptions();
        set(o);
        return o;
    }

    public static TheoryData<string, string> BadOptions() => new()
    {
        { "steps0", nameof(SamplerOptions.Steps) },
        { "block0", nameof(SamplerOptions.BlockLength) },
        { "threshold0", nameof(SamplerOptions.Threshold) },
        { "threshold>1", nameof(SamplerOptions.Threshold) },
        { "factor0", nameof(SamplerOptions.Factor) },
        { "temperature<0", nameof(SamplerOptions.Temperature) },
        { "topk0", nameof(SamplerOptions.TopK) },
        { "topp0", nameof(SamplerOptions.TopP) },
        { "cfg<0", nameof(SamplerOptions.CfgScale) },
        { "entropy+threshold", nameof(SamplerOptions.Score) },
        { "remask+threshold", nameof(SamplerOptions.Remasking) },
        { "eta>1", nameof(SamplerOptions.Remasking) },
        { "loop-times", nameof(SamplerOptions.Remasking) },
        { "schedule-null", nameof(SamplerOptions.Schedule) },
        { "algtemp+threshold", nameof(SamplerOptions.PositionTemperature) },
        { "algtemp<0", nameof(SamplerOptions.PositionTemperature) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsNameTheOption(string which, string parameter)
    {
        var options = which switch
        {
            "steps0" => With(o => o.Steps = 0),
            "block0" => With(o => o.BlockLength = 0),
            "threshold0" => With(o => o.Threshold = 0),
            "threshold>1" => With(o => o.Threshold = 1.5),
            "factor0" => With(o => o.Factor = 0),
            "temperature<0" => With(o => o.Temperature = -1),
            "topk0" => With(o => o.TopK = 0),
            "topp0" => With(o => o.TopP = 0),
            "cfg<0" => With(o => o.CfgScale = -1),
            "entropy+threshold" => With(o => { o.Score = ScoreKind.NegativeEntropy; o.Selection = SelectionRule.Threshold; }),
            "remask+threshold" => With(o => { o.Remasking = new RemaskingOptions(); o.Selection = SelectionRule.Threshold; }),
            "eta>1" => With(o => o.Remasking = new RemaskingOptions { Eta = 2 }),
            "loop-times" => With(o => o.Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Loop, TOn = 0.1, TOff = 0.5 }),
            "algtemp+threshold" => With(o => { o.PositionTemperature = 0.5; o.Selection = SelectionRule.Threshold; }),
            "algtemp<0" => With(o => o.PositionTemperature = -1),
            _ => With(o => o.Schedule = null!),
        };
        var ex = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public async Task FewerStepsThanBlocksIsRejectedWithTheFix()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Sampler(Rising()).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 2, BlockLength = 2 }));
        Assert.Contains("Raise Steps or BlockLength", ex.Message);
    }

    [Fact]
    public async Task ShiftedLogitModelsRejectAMaskAtPositionZero()
    {
        var sampler = Sampler(Rising(), shifted: true);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => sampler.SampleAsync(DiffusionCanvas.FromPrompt([], 4)));
        Assert.Contains("position 0", ex.Message);
        var ok = await sampler.SampleAsync(DiffusionCanvas.FromPrompt([5], 4), new SamplerOptions { Steps = 2 });
        Assert.Equal(FinishReason.Completed, ok.FinishReason is FinishReason.Eos ? FinishReason.Completed : ok.FinishReason);
    }

    [Fact]
    public async Task MaskIdInsideThePromptIsRejected()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Sampler(Rising()).SampleAsync(DiffusionCanvas.FromPrompt([5, SamplingTestIds.Mask], 4)));
        Assert.Contains("AddSlot", ex.Message);
    }

    [Fact]
    public async Task TooLongCanvasIsRejected()
    {
        var denoiser = new FakeDenoiser(SamplingTestIds.Vocab, (_, _, _, _) => { }, maxSequenceLength: 4);
        await Assert.ThrowsAsync<ArgumentException>(() => Sampler(denoiser).SampleAsync(DiffusionCanvas.FromPrompt(Prompt, 4)));
    }

    [Fact]
    public void CanvasAndIdsValidateTheirInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DiffusionCanvas.FromPrompt(Prompt, 0));
        Assert.Throws<ArgumentException>(() => DiffusionCanvas.FromTemplate(Prompt, new CanvasTemplate().AddTokens([1])));
        Assert.Throws<ArgumentException>(() => new CanvasTemplate().AddSlot(2, new CanvasSlotOptions { AllowedTokens = [] }));
        Assert.Throws<InvalidOperationException>(() => DiffusionCanvas.CreateBuilder().Build());
        Assert.Throws<ArgumentException>(() => new SpecialTokenIds(5, 5));
        Assert.Equal(126336, SpecialTokenIds.LLaDA.Mask);
        Assert.Equal(151643, SpecialTokenIds.Dream.Pad);
    }

    [Fact]
    public void ScheduleDefaultsMatchLLaDA()
    {
        var o = new SamplerOptions();
        Assert.Same(LinearSchedule.Instance, o.Schedule);
        Assert.Equal(SelectionRule.Schedule, o.Selection);
        Assert.Equal(0, o.Temperature);
    }

    private sealed class SyncProgress(Action<SamplingStepEvent> report) : IProgress<SamplingStepEvent>
    {
        public void Report(SamplingStepEvent value) => report(value);
    }
}
