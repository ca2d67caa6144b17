using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class EosTests
{
    // Answer positions 0 and 1 predict token 7 (p 0.6); from answer position 2 on, EOS (p 0.99).
    internal static FakeDenoiser EndsAfterTwo() => ByPosition((p, l) =>
    {
        int i = p - Prompt.Length;
        if (i >= 0)
        {
            FakeDenoiser.Peaked(l, i >= 2 ? SamplingTestIds.Eos : 7, i >= 2 ? 0.99 : 0.6);
        }
    });

    [Fact]
    public async Task TruncatesAtTheFirstEos()
    {
        var (result, _) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 8 });
        var seq = result.Sequences[0];
        Assert.Equal([7, 7], seq.AnswerTokens);
        Assert.Equal(10, seq.Tokens.Count);
        Assert.Equal(FinishReason.Eos, seq.FinishReason);
        Assert.Equal(FinishReason.Eos, result.FinishReason);
        Assert.Equal(8, result.Nfe);
    }

    [Fact]
    public async Task EarlyStopFillsLaterBlocksWithEos()
    {
        var (result, events) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 12), new SamplerOptions { Steps = 12, BlockLength = 4, StopAtEos = true });
        Assert.Equal(4, result.Nfe); // only the first block is decoded

        // As dInfer: the block is finished first (EOS is committed at step 0), then what follows is filled.
        Assert.Equal(SamplingTestIds.Eos, events[0].Committed[0].TokenId);
        Assert.All(events.Take(3), e => Assert.Empty(e.EosFilled));
        Assert.Equal(8, events[3].EosFilled.Count);
        Assert.All(events[3].EosFilled, f => Assert.True(f.Position >= 6));
        Assert.Equal([7, 7], result.Sequences[0].AnswerTokens);
        Assert.All(result.Sequences[0].Tokens.Skip(4), t => Assert.Equal(SamplingTestIds.Eos, t));
        Assert.Equal(FinishReason.Eos, result.FinishReason);
    }

    [Fact]
    public async Task WithoutEarlyStopEveryBlockIsDecoded()
    {
        var (result, _) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 12), new SamplerOptions { Steps = 12, BlockLength = 4 });
        Assert.Equal(12, result.Nfe);
    }

    [Fact]
    public async Task LogitSuppressionNeverProducesEos()
    {
        var (result, _) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 8), new SamplerOptions { Steps = 4, EosSuppression = EosSuppression.Logits });
        Assert.DoesNotContain(result.Sequences[0].Tokens, t => t is SamplingTestIds.Eos or SamplingTestIds.Eot);
        Assert.Equal(8, result.Sequences[0].AnswerTokens.Count);
        Assert.Equal(FinishReason.Completed, result.FinishReason);
    }

    [Fact]
    public async Task ConfidenceSuppressionCommitsEosLast()
    {
        var (result, events) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 6), new SamplerOptions { Steps = 6, EosSuppression = EosSuppression.Confidence });
        Assert.Equal([2, 3], events.Take(2).Select(e => e.Committed[0].Position));
        Assert.Equal(0, events[2].Committed[0].Score); // its probability once EOS and EoT are taken out
        Assert.Equal([7, 7], result.Sequences[0].AnswerTokens);
    }

    [Fact]
    public async Task WithoutSuppressionConfidentEosGoesFirst()
    {
        var (_, events) = await RunAsync(EndsAfterTwo(), DiffusionCanvas.FromPrompt(Prompt, 6), new SamplerOptions { Steps = 6 });
        Assert.Equal(SamplingTestIds.Eos, events[0].Committed[0].TokenId);
    }

    [Fact]
    public async Task TruncationCanBeTurnedOffForFixedTokens()
    {
        var template = new CanvasTemplate().AddSlot(2).AddTokens([SamplingTestIds.Eot, 9]);
        var denoiser = ByPosition((p, l) => FakeDenoiser.Peaked(l, 4, 0.9));
        var (kept, _) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 2, TruncateAtEos = false });
        Assert.Equal([4, 4, SamplingTestIds.Eot, 9], kept.Sequences[0].AnswerTokens);
        var (cut, _) = await RunAsync(denoiser, DiffusionCanvas.FromTemplate(Prompt, template), new SamplerOptions { Steps = 2 });
        Assert.Equal([4, 4], cut.Sequences[0].AnswerTokens);
    }
}
