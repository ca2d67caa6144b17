using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Tests.Sampling;

public sealed class UsageExampleTests
{
    [Fact]
    public async Task ReadmeExampleRunsWithLLaDAIds()
    {
        // LLaDA-sized vocabulary; answer position i predicts token 1000 + i, confidently, and EOS from i = 6 on.
        int[] promptIds = [126080, 3, 4, 5];
        using var denoiser = new FakeDenoiser(126464, (row, tokens, position, logits) =>
        {
            int i = position - promptIds.Length;
            if (i >= 0)
            {
                logits[i >= 6 ? 126081 : 1000 + i] = 20;
            }
        });

        var sampler = DiffusionSampler.Create(denoiser, SpecialTokenIds.LLaDA);
        var canvas = DiffusionCanvas.FromPrompt(promptIds, answerLength: 16);
        var options = new SamplerOptions { Steps = 16, BlockLength = 8, Selection = SelectionRule.Threshold, Threshold = 0.9, StopAtEos = true };
        var result = await sampler.SampleAsync(canvas, options);

        Assert.Equal([1000, 1001, 1002, 1003, 1004, 1005], result.AnswerTokens);
        Assert.Equal(1, result.Nfe); // every position of block 1 passes 0.9 at once; EOS stops block 2
        Assert.Equal(FinishReason.Eos, result.FinishReason);
    }

    [Fact]
    public void CreateFromManifestReadsIdsAndShift()
    {
        var manifest = new ModelManifest { LogitsShifted = true, TokenIds = new ManifestTokenIds { Mask = 31, Eos = 20, Eot = 21, Pad = 20 } };
        using var denoiser = new FakeDenoiser(SamplingTestIds.Vocab, (_, _, _, _) => { });
        var sampler = DiffusionSampler.Create(denoiser, manifest);
        Assert.True(sampler.LogitsShifted);
        Assert.Equal(31, sampler.TokenIds.Mask);
        Assert.Equal(21, sampler.TokenIds.Eot);
    }
}
