using SkDiffusion.Denoising;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

[Collection(TinyPackageCollection.Name)]
public sealed class KvCacheTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public async Task RunWithoutPastEqualsTheFullCanvasPass()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        const int s = 8;
        long[] ids = OnnxDenoiserTests.Canvas(packages.Llada, 1, s);
        using DenoiserOutput full = await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, s));

        using CachedRunResult run = denoiser.RunWithCache(ids, 1, s, Positions(0, s), Ones(s), past: null);
        using KvCache present = run.Present;

        Assert.Equal(s, present.Length);
        Assert.Equal(packages.Llada.Manifest.NumLayers, present.LayerCount);
        Assert.Equal(full.Logits.ToArray(), run.Logits.Logits.ToArray());
    }

    [Fact]
    public void SuffixOverASlicedCacheMatchesTheFullPass()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        const int s = 8, prefix = 5;
        int v = packages.Llada.Manifest.VocabSize;
        long[] ids = OnnxDenoiserTests.Canvas(packages.Llada, 1, s);

        using CachedRunResult full = denoiser.RunWithCache(ids, 1, s, Positions(0, s), Ones(s), past: null);
        using KvCache all = full.Present;
        using KvCache head = all.Slice(prefix);
        Assert.Equal(prefix, head.Length);
        float[] first = all.GetKey(1).GetTensorDataAsSpan<float>().ToArray();
        float[] sliced = head.GetKey(1).GetTensorDataAsSpan<float>().ToArray();
        int dh = all.HeadDim;
        Assert.Equal(first.AsSpan(0, prefix * dh).ToArray(), sliced.AsSpan(0, prefix * dh).ToArray());
        Assert.Equal(first.AsSpan(s * dh, prefix * dh).ToArray(), sliced.AsSpan(prefix * dh, prefix * dh).ToArray());

        using CachedRunResult tail = denoiser.RunWithCache(ids.AsSpan(prefix), 1, s - prefix, Positions(prefix, s - prefix), Ones(s), head);
        using KvCache grown = tail.Present;
        Assert.Equal(s, grown.Length);
        float[] expected = full.Logits.Logits.Span.Slice(prefix * v).ToArray();
        float[] actual = tail.Logits.Logits.ToArray();
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-4f, $"logit {k}: {expected[k]} vs {actual[k]}");
        }
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        long[] ids = OnnxDenoiserTests.Canvas(packages.Llada, 1, 4);
        Assert.Throws<ArgumentException>(() => denoiser.RunWithCache(ids, 1, 4, Positions(0, 4), Ones(3), null));
        ids[0] = 99_999;
        Assert.Throws<ArgumentOutOfRangeException>(() => denoiser.RunWithCache(ids, 1, 4, Positions(0, 4), Ones(4), null));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => denoiser.RunWithCache(ids, 1, 4, Positions(0, 4), Ones(4), null, cts.Token));
    }

    private static long[] Positions(int start, int count) => Enumerable.Range(start, count).Select(i => (long)i).ToArray();

    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();
}
