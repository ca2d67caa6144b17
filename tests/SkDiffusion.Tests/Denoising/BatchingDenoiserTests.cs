using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary><see cref="BatchingDenoiser"/> over the real ONNX denoiser: concurrent requests share runs and get their own rows.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class BatchingDenoiserTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConcurrentRequestsOfDifferentLengthsShareOneRunAndMatchTheirOwnRuns(bool dream)
    {
        var package = dream ? packages.Dream : packages.Llada;
        using OnnxDenoiser onnx = OnnxDenoiser.Create(package, Cpu);
        var gate = new GatedDenoiser(onnx);
        using var batching = BatchingDenoiser.Create(gate, new BatchingDenoiserOptions { OwnsInner = false });

        // The first request holds the inner run; the other five queue behind it and form one batch.
        DenoiserInput[] inputs =
        [
            new(OnnxDenoiserTests.Canvas(package, 1, 6), 1, 6),
            new(OnnxDenoiserTests.Canvas(package, 1, 9), 1, 9),
            new(OnnxDenoiserTests.Canvas(package, 2, 5), 2, 5),
            new(OnnxDenoiserTests.Canvas(package, 1, 12), 1, 12, default, new[] { 11, 3 }),
            new(OnnxDenoiserTests.Canvas(package, 1, 7), 1, 7, default, new[] { 6 }),
            new(OnnxDenoiserTests.Canvas(package, 1, 4), 1, 4),
        ];
        var first = batching.DenoiseAsync(inputs[0]).AsTask();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        var rest = inputs.Skip(1).Select(i => batching.DenoiseAsync(i).AsTask()).ToArray();
        gate.Release();
        DenoiserOutput[] outputs = [await first, .. await Task.WhenAll(rest)];

        Assert.Equal(2, batching.Runs);
        Assert.Equal([1, 6], gate.Rows);
        for (int i = 0; i < inputs.Length; i++)
        {
            using DenoiserOutput alone = await onnx.DenoiseAsync(inputs[i]);
            using DenoiserOutput batched = outputs[i];
            Assert.Equal(inputs[i].SequenceLength, batched.SequenceLength);
            Assert.Equal(inputs[i].BatchSize, batched.BatchSize);
            for (int r = 0; r < inputs[i].BatchSize; r++)
            {
                for (int p = 0; p < inputs[i].SequenceLength; p++)
                {
                    Assert.Equal(alone.HasLogits(r, p), batched.HasLogits(r, p));
                    if (!alone.HasLogits(r, p))
                    {
                        continue;
                    }

                    float[] x = alone.GetLogits(r, p).ToArray(), y = batched.GetLogits(r, p).ToArray();
                    for (int k = 0; k < x.Length; k++)
                    {
                        Assert.True(Math.Abs(x[k] - y[k]) <= 1e-4f, $"request {i}, row {r}, position {p}, logit {k}: {x[k]} vs {y[k]}");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task ABadRequestFailsAloneAndTheOthersStillGetTheirLogits()
    {
        using OnnxDenoiser onnx = OnnxDenoiser.Create(packages.Llada, Cpu);
        var gate = new GatedDenoiser(onnx);
        using var batching = BatchingDenoiser.Create(gate, new BatchingDenoiserOptions { OwnsInner = false });
        var first = batching.DenoiseAsync(new DenoiserInput(OnnxDenoiserTests.Canvas(packages.Llada, 1, 6), 1, 6)).AsTask();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        long[] bad = OnnxDenoiserTests.Canvas(packages.Llada, 1, 6);
        bad[2] = onnx.VocabularySize + 5;
        var good = batching.DenoiseAsync(new DenoiserInput(OnnxDenoiserTests.Canvas(packages.Llada, 1, 8), 1, 8)).AsTask();
        var faulty = batching.DenoiseAsync(new DenoiserInput(bad, 1, 6)).AsTask();
        gate.Release();
        (await first).Dispose();
        using DenoiserOutput ok = await good;
        Assert.Equal(8, ok.SequenceLength);
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => faulty);
        Assert.Contains("outside the vocabulary", error.Message);
    }

    [Fact]
    public async Task ACancelledQueuedRequestReturnsAtOnceAndTheBatchGoesOn()
    {
        using OnnxDenoiser onnx = OnnxDenoiser.Create(packages.Llada, Cpu);
        var gate = new GatedDenoiser(onnx);
        using var batching = BatchingDenoiser.Create(gate, new BatchingDenoiserOptions { OwnsInner = false });
        var first = batching.DenoiseAsync(new DenoiserInput(OnnxDenoiserTests.Canvas(packages.Llada, 1, 6), 1, 6)).AsTask();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource();
        var cancelled = batching.DenoiseAsync(new DenoiserInput(OnnxDenoiserTests.Canvas(packages.Llada, 1, 6), 1, 6), cts.Token).AsTask();
        var other = batching.DenoiseAsync(new DenoiserInput(OnnxDenoiserTests.Canvas(packages.Llada, 1, 5), 1, 5)).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Release();
        (await first).Dispose();
        (await other).Dispose();
        Assert.Equal([1, 1], gate.Rows);
    }

    [Fact]
    public async Task ConcurrentSamplersThroughOneBatchingDenoiserDecodeWhatTheyDecodeAlone()
    {
        using OnnxDenoiser onnx = OnnxDenoiser.Create(packages.Llada, Cpu);
        using var batching = BatchingDenoiser.Create(onnx, new BatchingDenoiserOptions { OwnsInner = false });
        var manifest = packages.Llada.Manifest;
        var options = new SamplerOptions { Steps = 8, MaxDegreeOfParallelism = 1 };
        DiffusionCanvas Canvas(int i) => DiffusionCanvas.CreateBuilder().Add(Enumerable.Range(40 + i, 3 + (i % 4)).ToArray(), 8).Build();
        var alone = new List<IReadOnlyList<int>>();
        for (int i = 0; i < 6; i++)
        {
            alone.Add((await DiffusionSampler.Create(onnx, manifest).SampleAsync(Canvas(i), options)).Sequences[0].Tokens);
        }

        var together = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => DiffusionSampler.Create(batching, manifest).SampleAsync(Canvas(i), options))));
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(alone[i], together[i].Sequences[0].Tokens);
        }

        Assert.True(batching.Runs <= 6 * 8, $"{batching.Runs} runs");
    }

    [Fact]
    public void OptionsOutOfRangeAreRefused()
    {
        using OnnxDenoiser onnx = OnnxDenoiser.Create(packages.Llada, Cpu);
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchingDenoiser.Create(onnx, new BatchingDenoiserOptions { MaxBatchRows = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchingDenoiser.Create(onnx, new BatchingDenoiserOptions { MaxWait = TimeSpan.FromMilliseconds(-1) }));
    }

    /// <summary>Holds the first run until released and records the rows of every run.</summary>
    private sealed class GatedDenoiser(IDenoiser inner) : IDenoiser
    {
        private readonly SemaphoreSlim _release = new(0);
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Entered => _entered.Task;

        public List<int> Rows { get; } = [];

        public int VocabularySize => inner.VocabularySize;

        public int MaxSequenceLength => inner.MaxSequenceLength;

        public void Release() => _release.Release();

        public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
        {
            lock (Rows)
            {
                Rows.Add(input.BatchSize);
            }

            if (Interlocked.Increment(ref _calls) == 1)
            {
                _entered.SetResult();
                await _release.WaitAsync(cancellationToken);
            }

            return await inner.DenoiseAsync(input, cancellationToken);
        }

        public void Dispose()
        {
        }
    }
}
