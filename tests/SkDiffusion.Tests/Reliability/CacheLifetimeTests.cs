using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.Equivalence;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Every KV cache a run makes is disposed when the run completes, fails, is cancelled or is abandoned, counted through
/// <see cref="OnnxDenoiser.LiveCaches"/> with the device-residency decorator (whole caches kept across a block, as
/// under CUDA); a cache outlives the denoiser that made it.
/// </summary>
public sealed class CacheLifetimeTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    private DiffusionCanvas Canvas => DiffusionCanvas.FromPrompt(model.Prompt("What is the capital of Gebeivaith?"), 16);

    private static SamplerOptions Options(CacheMode mode) => new() { Steps = 16, BlockLength = 4, CacheMode = mode, MaxDegreeOfParallelism = 1 };

    [Theory]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task A_completed_run_leaves_no_cache(CacheMode mode)
    {
        using var inner = OnnxDenoiser.Create(model.Package, Cpu);
        var device = new DeviceResidencyDenoiser(inner);
        SamplingResult result = await DiffusionSampler.Create(device, model.Package.Manifest).SampleAsync(Canvas, Options(mode));

        Assert.True(result.FinishReason is FinishReason.Completed or FinishReason.Eos, $"finish {result.FinishReason}");
        Assert.True(device.Presents >= 4, $"expected a cache per block, saw {device.Presents}");
        Assert.Equal(0, inner.LiveCaches);
    }

    [Theory]
    [InlineData(CacheMode.Prefix)]
    [InlineData(CacheMode.Dual)]
    public async Task An_abandoned_stream_leaves_no_cache(CacheMode mode)
    {
        using var inner = OnnxDenoiser.Create(model.Package, Cpu);
        var device = new DeviceResidencyDenoiser(inner);
        int seen = 0;
        await foreach (var step in DiffusionSampler.Create(device, model.Package.Manifest).StreamAsync(Canvas, Options(mode)))
        {
            if (++seen == 2)
            {
                Assert.Equal(1, inner.LiveCaches); // the run holds its whole cache mid-block
                break;
            }
        }

        Assert.Equal(0, inner.LiveCaches);
    }

    [Fact]
    public async Task A_cancelled_run_leaves_no_cache()
    {
        using var inner = OnnxDenoiser.Create(model.Package, Cpu);
        var device = new DeviceResidencyDenoiser(inner);
        using var cts = new CancellationTokenSource();
        var options = Options(CacheMode.Dual);
        options.OnStep = e =>
        {
            if (e.Step == 3)
            {
                cts.Cancel();
            }
        };

        SamplingResult result = await DiffusionSampler.Create(device, model.Package.Manifest).SampleAsync(Canvas, options, cts.Token);

        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal(0, inner.LiveCaches);
    }

    [Fact]
    public async Task A_failed_run_leaves_no_cache()
    {
        using var inner = OnnxDenoiser.Create(model.Package, Cpu);
        var device = new DeviceResidencyDenoiser(inner);
        var options = Options(CacheMode.Prefix);
        options.OnStep = e =>
        {
            if (e.Step == 2)
            {
                throw new InvalidOperationException("a step callback failed");
            }
        };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => DiffusionSampler.Create(device, model.Package.Manifest).SampleAsync(Canvas, options));

        Assert.Equal("a step callback failed", ex.Message);
        Assert.Equal(0, inner.LiveCaches);
    }

    [Fact]
    public async Task A_cache_outlives_its_denoiser_and_later_calls_name_the_model()
    {
        var inner = OnnxDenoiser.Create(model.Package, Cpu);
        long[] ids = [1, 2, 3, 4];
        CachedRunResult first = inner.RunWithCache(ids, 1, 4, [0, 1, 2, 3], [1, 1, 1, 1], null);
        first.Logits.Dispose();
        Assert.Equal(1, inner.LiveCaches);

        inner.Dispose();

        // The session is kept for the cache: it can still be read and sliced after the denoiser is gone.
        using (KvCache sliced = first.Present.Slice(2))
        {
            Assert.Equal(2, sliced.Length);
        }

        var refused = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await inner.DenoiseAsync(new DenoiserInput(ids, 1, 4)));
        Assert.Contains(model.Package.Manifest.Name, refused.Message, StringComparison.Ordinal);
        var cached = Assert.Throws<ObjectDisposedException>(() => inner.RunWithCache(ids, 1, 4, [0, 1, 2, 3], [1, 1, 1, 1], null));
        Assert.Contains(model.Package.Manifest.Name, cached.Message, StringComparison.Ordinal);

        first.Present.Dispose();
        Assert.Equal(0, inner.LiveCaches);
        inner.Dispose(); // twice is safe
    }

    [Fact]
    public async Task Dispose_terminates_and_waits_for_runs_in_flight()
    {
        var inner = OnnxDenoiser.Create(model.Package, Cpu);
        var sampler = DiffusionSampler.Create(inner, model.Package.Manifest);
        var canvas = DiffusionCanvas.FromPrompt(model.Prompt("Tell me about the sea."), 64);
        var runs = Enumerable.Range(0, 3).Select(i => Task.Run(() => sampler.SampleAsync(canvas, new SamplerOptions { Steps = 64, Seed = (ulong)i }))).ToArray();
        await Task.Delay(20);

        inner.Dispose();

        // Each run ends with its result or a refusal that names the model, never a native crash.
        foreach (var run in runs)
        {
            try
            {
                var result = await run;
                Assert.True(result.FinishReason is FinishReason.Completed or FinishReason.Eos, $"finish {result.FinishReason}");
            }
            catch (ObjectDisposedException ex)
            {
                Assert.Contains(model.Package.Manifest.Name, ex.Message, StringComparison.Ordinal);
            }
        }
    }
}
