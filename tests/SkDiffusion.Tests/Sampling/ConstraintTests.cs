using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Constraints;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class ConstraintTests
{
    private static readonly int[] Digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    // Prefers token 15 (not a digit), then digit 7.
    private static FakeDenoiser PrefersLetters() => ByPosition((p, l) =>
    {
        l.Fill(-5);
        l[15] = 3;
        l[7] = 1;
    });

    [Fact]
    public async Task GlobalDigitsOnlyProcessorIsRespected()
    {
        var options = new SamplerOptions { Steps = 2, Temperature = 2, Seed = 9 };
        options.LogitProcessors.Add(new AllowedTokensProcessor(Digits));
        var (result, _) = await RunAsync(PrefersLetters(), DiffusionCanvas.FromPrompt(Prompt, 16), options);
        Assert.All(result.Sequences[0].Tokens.Skip(2), t => Assert.Contains(t, Digits));
    }

    [Fact]
    public async Task SlotAllowedTokensAreRespectedAndFixedTokensNeverChange()
    {
        var template = new CanvasTemplate()
            .AddTokens([12, 13])
            .AddSlot(3, new CanvasSlotOptions { Name = "name" })
            .AddTokens([14])
            .AddSlot(2, new CanvasSlotOptions { Name = "age", AllowedTokens = Digits })
            .AddTokens([16]);
        var (result, events) = await RunAsync(PrefersLetters(), DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 3 });
        var seq = result.Sequences[0];
        Assert.Equal([5, 6, 12, 13, 15, 15, 15, 14, 7, 7, 16], seq.Tokens);
        Assert.Equal("name", seq.Slots[0].Name);
        Assert.Equal([15, 15, 15], seq.Slots[0].Tokens);
        Assert.Equal([7, 7], seq.Slots[1].Tokens);
        Assert.Equal(8, seq.Slots[1].Start);
        Assert.Equal([12, 13, 15, 15, 15, 14, 7, 7, 16], seq.AnswerTokens);
        Assert.DoesNotContain(events.SelectMany(e => e.Committed), c => c.Position is 2 or 3 or 7 or 10);
    }

    [Fact]
    public async Task DeniedTokensProcessorForbidsTokens()
    {
        var options = new SamplerOptions { Steps = 2 };
        options.LogitProcessors.Add(new DeniedTokensProcessor([15]));
        var (result, _) = await RunAsync(PrefersLetters(), DiffusionCanvas.FromPrompt(Prompt, 4), options);
        Assert.All(result.Sequences[0].Tokens.Skip(2), t => Assert.Equal(7, t));
    }

    [Fact]
    public async Task ProcessorSeesRowPositionSlotAndTokens()
    {
        var seen = new List<LogitProcessorContext>();
        var options = new SamplerOptions { Steps = 2 };
        options.LogitProcessors.Add(new RecordingProcessor(seen));
        await RunAsync(PrefersLetters(), DiffusionCanvas.FromPrompt(Prompt, 2), options);
        Assert.Equal(3, seen.Count); // step 0: both positions; step 1: the one left
        Assert.Equal(0, seen[0].SlotIndex);
        Assert.Equal(2, seen[0].Position);
        Assert.Equal(1, seen[2].Step);
        Assert.Equal(4, seen[0].Tokens.Length);
    }

    [Fact]
    public async Task FixedLengthSlotsNeverHoldEos()
    {
        var denoiser = ByPosition((p, l) => FakeDenoiser.Peaked(l, SamplingTestIds.Eos, 0.9));
        var template = new CanvasTemplate().AddSlot(3);
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 3 });
        Assert.DoesNotContain(result.Sequences[0].Tokens, t => t is SamplingTestIds.Eos or SamplingTestIds.Eot or SamplingTestIds.Pad);
        Assert.Equal(3, result.Sequences[0].Slots[0].Tokens.Count);
    }

    [Fact]
    public async Task VariableLengthSlotEndsAtEos()
    {
        var denoiser = ByPosition((p, l) => FakeDenoiser.Peaked(l, p >= 4 ? SamplingTestIds.Eos : 8, 0.9));
        var template = new CanvasTemplate().AddSlot(4, new CanvasSlotOptions { VariableLength = true }).AddTokens([9, 9]);
        var (result, _) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 4, TruncateAtEos = false });
        var seq = result.Sequences[0];
        Assert.Equal([8, 8], seq.Slots[0].Tokens);
        Assert.Equal([8, 8, 9, 9], seq.AnswerTokens);
        Assert.Equal(FinishReason.Eos, seq.FinishReason);
    }

    private sealed class RecordingProcessor(List<LogitProcessorContext> seen) : ILogitProcessor
    {
        public void Process(in LogitProcessorContext context, Span<float> logits) => seen.Add(context);
    }
}
