using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Sampling;

public sealed class CacheOnModelTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    [Theory]
    [InlineData(CacheMode.None)]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task ALeftPaddedBatchDecodesWithACache(CacheMode mode)
    {
        var longer = model.Prompt("Extract JSON: Ana Berun is 30 years old, lives in Tolk and works as a baker.");
        var canvas = DiffusionCanvas.CreateBuilder().Add(longer, 16).Add(model.Prompt("Hi"), 16).Add(longer, 16).Build();
        var options = new SamplerOptions { Steps = 16, BlockLength = 8, Selection = SelectionRule.Threshold, CacheMode = mode, MaxDegreeOfParallelism = 1 };
        var result = await DiffusionSampler.Create(model.Denoiser, model.Package.Manifest).SampleAsync(canvas, options);
        int mask = model.Package.Manifest.TokenIds.Mask;
        Assert.All(result.Sequences, s => Assert.DoesNotContain(mask, s.Tokens));
        Assert.Equal(result.Sequences[0].Tokens, result.Sequences[2].Tokens);
        Assert.InRange(result.Nfe, 2, 16);
    }

    [Fact]
    public async Task PrefixAndSuffixInOneCopyEqualTwoSlicesConcatenated()
    {
        int n = 12;
        var ids = Enumerable.Range(0, n).Select(i => (long)(10 + i)).ToArray();
        var positions = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var mask = Enumerable.Repeat(1L, n).ToArray();
        using var run = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(ids, positions, mask, 1, n, null, true));
        using KvCache present = run.Present!;
        using KvCache without = present.Without(3, 7);
        using KvCache before = present.Slice(3);
        using KvCache after = present.SliceRange(7, n - 7);
        using KvCache joined = KvCacheRanges.Concat(before, after);
        Assert.Equal(n - 4, without.Length);
        for (int layer = 0; layer < present.LayerCount; layer++)
        {
            Assert.Equal(joined.GetKey(layer).GetTensorDataAsSpan<float>().ToArray(), without.GetKey(layer).GetTensorDataAsSpan<float>().ToArray());
            Assert.Equal(joined.GetValue(layer).GetTensorDataAsSpan<float>().ToArray(), without.GetValue(layer).GetTensorDataAsSpan<float>().ToArray());
        }

        // The kept positions are the present's own: position 8 of the source is position 4 of the copy.
        int dim = present.HeadDim;
        Assert.Equal(present.GetKey(0).GetTensorDataAsSpan<float>().Slice(8 * dim, dim).ToArray(), without.GetKey(0).GetTensorDataAsSpan<float>().Slice(4 * dim, dim).ToArray());
        Assert.Equal(TensorElementType.Float, without.ElementType);
    }
}
