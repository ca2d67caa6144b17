using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.ModelBuilder;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

[Collection(TinyPackageCollection.Name)]
public sealed class OnnxDenoiserTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public async Task ReturnsLogitsOfTheExpectedShape()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        Assert.Equal(ExecutionProvider.Cpu, denoiser.ActiveProvider);
        Assert.Equal(packages.Llada.Manifest.VocabSize, denoiser.VocabularySize);
        Assert.Equal(packages.Llada.Manifest.ContextLength, denoiser.MaxSequenceLength);

        long[] ids = Canvas(packages.Llada, 2, 7);
        using DenoiserOutput output = await denoiser.DenoiseAsync(new DenoiserInput(ids, 2, 7));

        Assert.Equal(2, output.BatchSize);
        Assert.Equal(7, output.SequenceLength);
        Assert.Equal(320, output.VocabularySize);
        Assert.Equal(2 * 7 * 320, output.Logits.Length);
        Assert.All(output.Logits.ToArray(), x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public async Task DreamLogitsAreRealignedSoPositionIPredictsTokenI()
    {
        ModelPackage package = packages.Dream;
        Assert.True(package.Manifest.LogitsShifted);
        const int s = 6;
        long[] ids = Canvas(package, 1, s);
        float[] raw = RunRaw(package, ids, s);
        int v = package.Manifest.VocabSize;

        using OnnxDenoiser denoiser = OnnxDenoiser.Create(package, Cpu);
        using DenoiserOutput output = await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, s));

        Assert.Equal(raw.AsSpan(0, v).ToArray(), output.GetLogits(0, 0).ToArray());
        for (int i = 1; i < s; i++)
        {
            Assert.Equal(raw.AsSpan((i - 1) * v, v).ToArray(), output.GetLogits(0, i).ToArray());
        }
    }

    [Fact]
    public async Task LladaLogitsAreNotShifted()
    {
        ModelPackage package = packages.Llada;
        const int s = 5;
        long[] ids = Canvas(package, 1, s);
        float[] raw = RunRaw(package, ids, s);

        using OnnxDenoiser denoiser = OnnxDenoiser.Create(package, Cpu);
        using DenoiserOutput output = await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, s));
        Assert.Equal(raw, output.Logits.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LeftPaddedRowMatchesTheUnpaddedRun(bool dream)
    {
        ModelPackage package = dream ? packages.Dream : packages.Llada;
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(package, Cpu);
        long[] real = Canvas(package, 1, 5);
        long pad = package.Manifest.TokenIds.Pad;
        const int padding = 3, s = 8;

        using DenoiserOutput alone = await denoiser.DenoiseAsync(new DenoiserInput(real, 1, 5));

        long[] ids = new long[2 * s];
        long[] mask = new long[2 * s];
        for (int p = 0; p < s; p++)
        {
            ids[p] = p < padding ? pad : real[p - padding];
            mask[p] = p < padding ? 0 : 1;
            ids[s + p] = Canvas(package, 1, s)[p];
            mask[s + p] = 1;
        }

        using DenoiserOutput batch = await denoiser.DenoiseAsync(new DenoiserInput(ids, 2, s, mask));
        for (int p = 0; p < 5; p++)
        {
            float[] expected = alone.GetLogits(0, p).ToArray();
            float[] actual = batch.GetLogits(0, p + padding).ToArray();
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-4f, $"position {p}, logit {k}: {expected[k]} vs {actual[k]}");
            }
        }
    }

    [Fact]
    public async Task CancelledTokenThrowsOperationCanceled()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await denoiser.DenoiseAsync(new DenoiserInput(Canvas(packages.Llada, 1, 4), 1, 4), cts.Token));
    }

    [Fact]
    public async Task CancellationDuringRunsStopsThem()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        using var cts = new CancellationTokenSource();
        var input = new DenoiserInput(Canvas(packages.Llada, 4, 64), 4, 64);
        Task loop = Task.Run(async () =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                using DenoiserOutput _ = await denoiser.DenoiseAsync(input, cts.Token);
            }
        });
        await Task.Delay(50);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    [Fact]
    public async Task TokenIdsOutsideTheVocabularyAreRejected()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        long[] ids = Canvas(packages.Llada, 1, 4);
        ids[2] = 320;
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, 4)));
        Assert.Contains("320", ex.Message, StringComparison.Ordinal);
        Assert.Contains("position 2", ex.Message, StringComparison.Ordinal);

        ids[2] = -1;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, 4)));
    }

    [Fact]
    public async Task CanvasLongerThanTheContextIsRejected()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        int s = packages.Llada.Manifest.ContextLength + 1;
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(Canvas(packages.Llada, 1, s), 1, s)));
        Assert.Contains("context_length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentCallsAgree()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        var input = new DenoiserInput(Canvas(packages.Llada, 1, 6), 1, 6);
        float[][] results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using DenoiserOutput o = await denoiser.DenoiseAsync(input);
            return o.Logits.ToArray();
        })));
        Assert.All(results, r => Assert.Equal(results[0], r));
    }

    /// <summary>A prompt-like canvas: a few ordinary tokens followed by masks.</summary>
    internal static long[] Canvas(ModelPackage package, int batch, int length)
    {
        long mask = package.Manifest.TokenIds.Mask;
        var ids = new long[batch * length];
        for (int i = 0; i < ids.Length; i++)
        {
            int p = i % length;
            ids[i] = p < (length + 1) / 2 ? 40 + ((p * 7 + (i / length) * 3) % 60) : mask;
        }

        return ids;
    }

    /// <summary>Runs the graph directly (no realignment) for one row with zero-length past tensors.</summary>
    private static float[] RunRaw(ModelPackage package, long[] ids, int s)
    {
        using var runner = new PackageRunner(package.Directory);
        return runner.Run(ids, [.. Enumerable.Range(0, s).Select(i => (long)i)], [.. Enumerable.Repeat(1L, s)], 1, s).Logits;
    }
}
