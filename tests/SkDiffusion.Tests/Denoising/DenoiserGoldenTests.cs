using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.ModelBuilder;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary>The denoiser against the fixtures' golden logits, providers, concurrency and output disposal.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class DenoiserGoldenTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public async Task LladaReproducesTheGoldenLogitsWithALeftPaddedRow()
    {
        GoldenOutputs golden = GoldenOutputs.Load(TinyPackages.FindFixture("tiny-llada"));
        Assert.Contains(0L, golden.AttentionMask);
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);

        using DenoiserOutput output = await denoiser.DenoiseAsync(new DenoiserInput(golden.InputIds, golden.Batch, golden.Sequence, golden.AttentionMask));

        Assert.Equal(golden.Vocab, output.VocabularySize);
        for (int r = 0; r < golden.Batch; r++)
        {
            for (int p = 0; p < golden.Sequence; p++)
            {
                if (golden.AttentionMask[(r * golden.Sequence) + p] == 0)
                {
                    continue; // padding logits are not meaningful
                }

                AssertClose(Golden(golden, r, p), output.GetLogits(r, p), $"row {r}, position {p}");
            }
        }
    }

    [Fact]
    public async Task DreamRealignsTheGoldenRawLogits()
    {
        GoldenOutputs golden = GoldenOutputs.Load(TinyPackages.FindFixture("tiny-dream"));
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, Cpu);

        using DenoiserOutput output = await denoiser.DenoiseAsync(new DenoiserInput(golden.InputIds, golden.Batch, golden.Sequence, golden.AttentionMask));

        // Unpadded row: aligned[0] = raw[0], aligned[i] = raw[i - 1].
        AssertClose(Golden(golden, 0, 0), output.GetLogits(0, 0), "row 0, position 0");
        for (int p = 1; p < golden.Sequence; p++)
        {
            AssertClose(Golden(golden, 0, p - 1), output.GetLogits(0, p), $"row 0, position {p}");
        }

        // Left-padded row: every position after the first real one takes its predecessor's raw logits.
        int first = Enumerable.Range(0, golden.Sequence).First(p => golden.AttentionMask[golden.Sequence + p] != 0);
        for (int p = first + 1; p < golden.Sequence; p++)
        {
            AssertClose(Golden(golden, 1, p - 1), output.GetLogits(1, p), $"row 1, position {p}");
        }
    }

    [Fact]
    public async Task OutOfRangeTokenNamesItsPosition()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, Cpu);
        long[] ids = Enumerable.Repeat(5L, 2 * 6).ToArray();
        ids[6 + 4] = 304;

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(ids, 2, 6)));

        Assert.Contains("row 1, position 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("304", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SequenceLongerThanTheContextIsRejected()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, Cpu);
        int s = denoiser.MaxSequenceLength + 1;

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(new long[s], 1, s)));

        Assert.Contains(denoiser.MaxSequenceLength.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreCancelledTokenIsHonouredBeforeRunning()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, Cpu);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(new long[4], 1, 4), cts.Token));
    }

    [Fact]
    public void AutoFallsBackToTheCpuWithOneWarningAboutCuda()
    {
        var warnings = new List<string>();
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions
        {
            ExecutionProvider = ExecutionProvider.Auto,
            IntraOpThreads = 1,
            Warning = warnings.Add,
        });

        if (HasNvidiaDriver && denoiser.ActiveProvider == ExecutionProvider.Cuda)
        {
            Assert.Empty(warnings); // a machine with a working CUDA: nothing to fall back from
            return;
        }

        Assert.Equal(ExecutionProvider.Cpu, denoiser.ActiveProvider);
        string warning = Assert.Single(warnings);
        Assert.Contains("CUDA", warning, StringComparison.Ordinal);
        Assert.Contains("CPU", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaOnlyThrowsWhenCudaCannotLoad()
    {
        OnnxDenoiser? denoiser = null;
        try
        {
            denoiser = OnnxDenoiser.Create(packages.Llada, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cuda });
        }
        catch (InvalidOperationException ex)
        {
            Assert.Contains("CUDA", ex.Message, StringComparison.Ordinal);
            return;
        }

        using (denoiser)
        {
            Assert.True(HasNvidiaDriver, "CUDA cannot work without an NVIDIA driver; Create should have thrown InvalidOperationException.");
            Assert.Equal(ExecutionProvider.Cuda, denoiser.ActiveProvider);
        }
    }

    [Fact]
    public void CpuNeverWarns()
    {
        var warnings = new List<string>();
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, Warning = warnings.Add });

        Assert.Equal(ExecutionProvider.Cpu, denoiser.ActiveProvider);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task SixteenConcurrentCallsMatchSequentialOnes()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, Cpu);
        const int calls = 16, s = 12;
        DenoiserInput[] inputs = Enumerable.Range(0, calls).Select(c =>
        {
            long[] ids = Enumerable.Range(0, s).Select(p => p < 6 ? (long)((c * 17) + (p * 29)) % 290 : 293L).ToArray();
            return new DenoiserInput(ids, 1, s);
        }).ToArray();

        var sequential = new float[calls][];
        for (int c = 0; c < calls; c++)
        {
            using DenoiserOutput o = await denoiser.DenoiseAsync(inputs[c]);
            sequential[c] = o.Logits.ToArray();
        }

        using var start = new ManualResetEventSlim();
        Task<float[]>[] tasks = Enumerable.Range(0, calls).Select(c => Task.Run(async () =>
        {
            start.Wait();
            using DenoiserOutput o = await denoiser.DenoiseAsync(inputs[c]);
            return o.Logits.ToArray();
        })).ToArray();
        start.Set();
        float[][] concurrent = await Task.WhenAll(tasks);

        for (int c = 0; c < calls; c++)
        {
            Assert.Equal(sequential[c], concurrent[c]);
        }

        Assert.NotEqual(sequential[0], sequential[1]);
    }

    [Fact]
    public async Task DisposingAnOutputTwiceIsSafe()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        var input = new DenoiserInput(new long[] { 1, 2, 3, 292 }, 1, 4);
        DenoiserOutput first = await denoiser.DenoiseAsync(input);
        float[] expected = first.Logits.ToArray();

        first.Dispose();
        first.Dispose();

        // A buffer returned once must not be handed out twice: two live outputs never share memory.
        using DenoiserOutput a = await denoiser.DenoiseAsync(input);
        using DenoiserOutput b = await denoiser.DenoiseAsync(input);
        Assert.False(a.Logits.Span.Overlaps(b.Logits.Span));
        Assert.Equal(expected, a.Logits.ToArray());
        Assert.Equal(expected, b.Logits.ToArray());
    }

    [Fact]
    public async Task UseAfterDisposeThrowsObjectDisposedInsteadOfCrashing()
    {
        OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        denoiser.Dispose();
        denoiser.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await denoiser.DenoiseAsync(new DenoiserInput(new long[] { 1, 2 }, 1, 2)));
    }

    [Fact]
    public void BadInputShapesAreRejectedUpFront()
    {
        Assert.Throws<ArgumentException>(() => new DenoiserInput(new long[5], 2, 3));
        Assert.Throws<ArgumentException>(() => new DenoiserInput(new long[6], 2, 3, new long[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DenoiserInput(new long[0], 0, 3));
    }

    /// <summary>Whether this machine has an NVIDIA kernel driver (without one CUDA can never load).</summary>
    private static bool HasNvidiaDriver => Directory.Exists("/proc/driver/nvidia") || OperatingSystem.IsWindows();

    private static float[] Golden(GoldenOutputs golden, int row, int position) =>
        golden.Logits.AsSpan(((row * golden.Sequence) + position) * golden.Vocab, golden.Vocab).ToArray();

    private static void AssertClose(float[] expected, Span<float> actual, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            float tolerance = 1e-4f * Math.Max(1f, Math.Abs(expected[k]));
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance, $"{where}, logit {k}: expected {expected[k]}, got {actual[k]}");
        }
    }
}
