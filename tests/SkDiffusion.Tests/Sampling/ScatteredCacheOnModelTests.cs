using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Internal.Forward;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// The delayed and adaptive caches run scattered positions against a past in any order; on the embedded ONNX graph
/// (keys after the rotary embedding, a padding mask only) that must give the logits of the full pass.
/// </summary>
public sealed class ScatteredCacheOnModelTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    [Fact]
    public async Task AScatteredRunAgainstAReorderedPastGivesTheFullPassLogits()
    {
        const int n = 14;
        var ids = Enumerable.Range(0, n).Select(i => (long)(10 + (7 * i % 50))).ToArray();
        var positions = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var mask = Enumerable.Repeat(1L, n).ToArray();
        using var full = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(ids, positions, mask, 1, n, null, true));

        // Keep every position but {2, 5, 6, 11}; run those in reverse order against the kept ones.
        using var store = new CanvasKvStore(CacheMode.Delayed, n);
        store.Replace(full.Present, Enumerable.Range(0, n).ToArray());
        int[] run = [11, 6, 5, 2];
        var drop = new bool[n];
        foreach (int p in run)
        {
            drop[p] = true;
        }

        var order = new int[n];
        using var past = store.Gather(drop, order, out int count);
        Assert.Equal(n - run.Length, count);
        var runIds = run.Select(p => ids[p]).ToArray();
        var runPositions = run.Select(p => (long)p).ToArray();
        using var partial = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(runIds, runPositions, Enumerable.Repeat(1L, n).ToArray(), 1, run.Length, past, false));
        for (int k = 0; k < run.Length; k++)
        {
            var expected = full.Logits.GetLogits(0, run[k]).ToArray();
            var actual = partial.Logits.GetLogits(0, k).ToArray();
            for (int v = 0; v < expected.Length; v++)
            {
                Assert.Equal(expected[v], actual[v], 2e-3f);
            }
        }
    }

    [Theory]
    [InlineData(CacheMode.Delayed)]
    [InlineData(CacheMode.Adaptive)]
    public async Task ALeftPaddedBatchDecodesWithAScatteredCache(CacheMode mode)
    {
        var longer = model.Prompt("Extract JSON: Ana Berun is 30 years old, lives in Tolk and works as a baker.");
        var canvas = DiffusionCanvas.CreateBuilder().Add(longer, 16).Add(model.Prompt("Hi"), 16).Add(longer, 16).Build();
        var options = new SamplerOptions { Steps = 16, BlockLength = 8, Selection = SelectionRule.Threshold, CacheMode = mode, CacheRefresh = { Interval = 4, PromptInterval = 8 }, MaxDegreeOfParallelism = 1 };
        var result = await DiffusionSampler.Create(model.Denoiser, model.Package.Manifest).SampleAsync(canvas, options);
        int maskId = model.Package.Manifest.TokenIds.Mask;
        Assert.All(result.Sequences, s => Assert.DoesNotContain(maskId, s.Tokens));
        Assert.Equal(result.Sequences[0].Tokens, result.Sequences[2].Tokens);
        Assert.InRange(result.Nfe, 2, 16);

        var again = await DiffusionSampler.Create(model.Denoiser, model.Package.Manifest).SampleAsync(canvas, options);
        Assert.Equal(result.Sequences.Select(s => s.Tokens.ToArray()), again.Sequences.Select(s => s.Tokens.ToArray()));
    }
}
