using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// A cache in device memory cannot be trimmed on the host, so the sampler keeps it whole and masks the window out of
/// the attention mask. These tests check, on the CPU, that this path decodes exactly as the trimmed cache does.
/// </summary>
public sealed class DeviceResidentCacheTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    [Theory]
    [InlineData(CacheMode.Prefix, SelectionRule.Threshold, 0.0)]
    [InlineData(CacheMode.Dual, SelectionRule.Threshold, 0.0)]
    [InlineData(CacheMode.Prefix, SelectionRule.Schedule, 0.0)]
    [InlineData(CacheMode.Dual, SelectionRule.Schedule, 1.5)]
    public async Task AWholeCacheWithTheWindowMaskedDecodesAsTheTrimmedCache(CacheMode mode, SelectionRule selection, double guidance)
    {
        var longer = model.Prompt("Extract JSON: Ana Berun is 30 years old, lives in Tolk and works as a baker.");
        var canvas = DiffusionCanvas.CreateBuilder().Add(longer, 24).Add(model.Prompt("What is the capital of Gebeivaith?"), 24).Build();
        // Threshold 1 commits only what the model is certain of (at least one token a step), so a block takes several
        // steps and the masked whole-cache path runs whatever the model's confidence; at 0.9 a confident model can fill
        // a block in its refresh step alone.
        var options = new SamplerOptions { Steps = 24, BlockLength = 8, Selection = selection, Threshold = 1.0, CacheMode = mode, CfgScale = guidance, MaxDegreeOfParallelism = 1 };

        var (trimmed, whole, device) = await DeviceResidencyDenoiser.DecodeBothWaysAsync(model.Denoiser, model.Package.Manifest, canvas, options);
        Assert.Equal(trimmed.Nfe, whole.Nfe);

        // The masked path ran: every step inside a block read the whole canvas as its past.
        int length = canvas.SequenceLength;
        Assert.True(device.Presents >= 3, $"expected a refresh per block, saw {device.Presents}");
        Assert.All(device.PastLengths, p => Assert.True(p == 0 || p == length, $"past of {p} positions; expected 0 (refresh) or {length} (whole cache)"));
    }

    [Fact]
    public async Task MaskingTheWindowOfAWholeCacheGivesTheLogitsOfTheTrimmedCache()
    {
        int n = 12, start = 3, end = 7, run = end - start;
        long[] ids = Enumerable.Range(0, n).Select(i => (long)(20 + (i * 7 % 40))).ToArray();
        long[] positions = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        using var full = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(ids, positions, Enumerable.Repeat(1L, n).ToArray(), 1, n, null, true));
        using KvCache present = full.Present!;
        using KvCache trimmed = present.Without(start, end);

        long[] runIds = [.. ids[start..end].Select(id => (long)model.Package.Manifest.TokenIds.Mask)];
        long[] runPositions = positions[start..end];
        using var a = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(runIds, runPositions, Enumerable.Repeat(1L, (n - run) + run).ToArray(), 1, run, trimmed, false));
        long[] holeMask = [.. Enumerable.Range(0, n).Select(i => i >= start && i < end ? 0L : 1L), .. Enumerable.Repeat(1L, run)];
        using var b = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(runIds, runPositions, holeMask, 1, run, present, false));

        float[] x = a.Logits.Logits.Span.ToArray(), y = b.Logits.Logits.Span.ToArray();
        Assert.Equal(x.Length, y.Length);
        float largest = x.Max(Math.Abs);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(x[i] - y[i]) <= 1e-4f * largest, $"logit {i}: {x[i]} (trimmed) vs {y[i]} (masked)");
        }

        // And the hole matters: unmasked, the stale window keys change the logits.
        using var c = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(runIds, runPositions, Enumerable.Repeat(1L, n + run).ToArray(), 1, run, present, false));
        Assert.Contains(Enumerable.Range(0, x.Length), i => Math.Abs(x[i] - c.Logits.Logits.Span[i]) > 1e-3f * largest);
    }

    [Fact]
    public async Task ADeviceCacheRefusesHostSlicingWithAClearMessage()
    {
        long[] ids = [10, 11, 12, 13];
        long[] positions = [0, 1, 2, 3];
        using var run = await model.Denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(ids, positions, new long[] { 1, 1, 1, 1 }, 1, 4, null, true));
        using KvCache device = run.Present!.Detach(hostResident: false);
        Assert.False(device.IsHostResident);
        var ex = Assert.Throws<NotSupportedException>(() => device.Slice(2));
        Assert.Contains("mask", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => device.Without(1, 2));
        Assert.Throws<NotSupportedException>(() => device.SliceRange(0, 2));
        Assert.Throws<NotSupportedException>(() => KvCacheRanges.Concat(device, device));
        Assert.False(model.Denoiser.DeviceResidentCaches);
    }
}
