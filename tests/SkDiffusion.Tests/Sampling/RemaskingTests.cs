using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Remasking;
using static SkDiffusion.Tests.Sampling.SamplerTestKit;

namespace SkDiffusion.Tests.Sampling;

public sealed class RemaskingTests
{
    private static FakeDenoiser Flat() => ByPosition((p, l) =>
    {
        for (int v = 0; v < l.Length; v++)
        {
            l[v] = (float)(((p * 31) + (v * 17)) % 13) / 10f;
        }
    });

    [Theory]
    [InlineData(RemaskingStrategy.Cap, 0.5)]
    [InlineData(RemaskingStrategy.Rescale, 0.9)]
    [InlineData(RemaskingStrategy.Conf, 0)]
    [InlineData(RemaskingStrategy.Loop, 0.3)]
    public async Task RemasksAndStillFinishesWithNoMask(RemaskingStrategy strategy, double eta)
    {
        var options = new SamplerOptions { Steps = 48, Temperature = 1, Seed = 11, Remasking = new RemaskingOptions { Strategy = strategy, Eta = eta }, TruncateAtEos = false };
        var (result, events) = await RunAsync(Flat(), DiffusionCanvas.FromPrompt(Prompt, 8), options);
        Assert.DoesNotContain(SamplingTestIds.Mask, result.Sequences[0].Tokens);
        Assert.Contains(events, e => e.Remasked.Count > 0);
        Assert.Equal(0, events[^1].MasksLeft);
        Assert.Equal(FinishReason.Completed, result.FinishReason is FinishReason.Eos ? FinishReason.Completed : result.FinishReason);

        // Every remasked token was committed before, and the masks balance out.
        int committed = events.Sum(e => e.Committed.Count);
        int remasked = events.Sum(e => e.Remasked.Count);
        Assert.Equal(8, committed - remasked);
        Assert.True(result.Nfe > 8, $"more steps than tokens should be used, got {result.Nfe}");
    }

    [Fact]
    public async Task RemaskedPositionsAreDecodedAgain()
    {
        var options = new SamplerOptions { Steps = 32, Temperature = 1, Seed = 3, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.5 } };
        var (_, events) = await RunAsync(Flat(), DiffusionCanvas.FromPrompt(Prompt, 4), options);
        var first = events.Select((e, i) => (e, i)).First(x => x.e.Remasked.Count > 0);
        int position = first.e.Remasked[0].Position;
        Assert.Contains(events.Skip(first.i + 1), e => e.Committed.Any(c => c.Position == position));
    }

    [Fact]
    public async Task EtaZeroNeverRemasks()
    {
        var options = new SamplerOptions { Steps = 16, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0 } };
        var (result, events) = await RunAsync(Flat(), DiffusionCanvas.FromPrompt(Prompt, 8), options);
        Assert.All(events, e => Assert.Empty(e.Remasked));
        Assert.Equal(8, result.Nfe);
    }

    [Fact]
    public async Task RemaskingStaysInsideTheCurrentBlock()
    {
        var options = new SamplerOptions { Steps = 32, BlockLength = 4, Temperature = 1, Seed = 2, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.6 } };
        var (result, events) = await RunAsync(Flat(), DiffusionCanvas.FromPrompt(Prompt, 8), options);
        bool secondBlockStarted = false;
        foreach (var e in events)
        {
            secondBlockStarted |= e.Committed.Any(c => c.Position >= 6);
            if (secondBlockStarted)
            {
                Assert.All(e.Remasked, x => Assert.True(x.Position >= 6));
            }
        }

        Assert.DoesNotContain(SamplingTestIds.Mask, result.Sequences[0].Tokens);
    }

    [Fact]
    public async Task ARemaskingStepCommitsAsManyMoreInTheSameStep()
    {
        // ReMDM raises the unmask probability of the step that remasks: the masked count follows the plan of the run
        // without remasking (16 masks, one per step), as long as the step started with enough masks.
        SamplerOptions Options(double eta) => new() { Steps = 32, Temperature = 1, Seed = 7, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = eta } };
        var (_, plain) = await RunAsync(Flat(), DiffusionCanvas.FromPrompt(Prompt, 16), Options(0));
        var (_, remasking) = await RunAsync(Flat(), DiffusionCanvas.FromPrompt(Prompt, 16), Options(0.3));
        int before = 16, compared = 0, withRemasks = 0;
        for (int i = 0; i < 15; i++)
        {
            var e = remasking[i];
            if (before < 1 + e.Remasked.Count)
            {
                break;
            }

            Assert.Equal(1 + e.Remasked.Count, e.Committed.Count);
            Assert.Equal(plain[i].MasksLeft, e.MasksLeft);
            withRemasks += e.Remasked.Count > 0 ? 1 : 0;
            compared++;
            before = e.MasksLeft;
        }

        Assert.True(withRemasks > 0 && compared > 4, $"{withRemasks} remasking steps among {compared} compared");
    }
}
