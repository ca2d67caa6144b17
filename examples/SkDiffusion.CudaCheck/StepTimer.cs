using System.Diagnostics;
using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.CudaCheck;

/// <summary>Times full denoiser passes, cached block steps and whole generations (medians of repeated runs).</summary>
internal static class StepTimer
{
    private const int WarmUps = 3;

    /// <summary>Median milliseconds of one full pass over <paramref name="row"/> repeated in <paramref name="batch"/> rows.</summary>
    public static async Task<double> FullPassAsync(IDenoiser denoiser, long[] row, int batch, int runs)
    {
        long[] ids = new long[batch * row.Length];
        for (int r = 0; r < batch; r++)
        {
            row.CopyTo(ids, r * row.Length);
        }

        var input = new DenoiserInput(ids, batch, row.Length);
        return await MedianAsync(runs, async () => (await denoiser.DenoiseAsync(input)).Dispose());
    }

    /// <summary>
    /// Median milliseconds of one dual-cache block step as the sampler runs it: <paramref name="block"/> positions in the
    /// middle of the canvas against a cache of the whole canvas whose copy of the block is masked out (the layout that
    /// device-resident caches use).
    /// </summary>
    public static async Task<double> BlockStepAsync(OnnxDenoiser denoiser, long[] canvas, int block, int runs)
    {
        int length = canvas.Length;
        long[] positions = [.. Enumerable.Range(0, length).Select(i => (long)i)];
        using CachedRunResult full = denoiser.RunWithCache(canvas, 1, length, positions, [.. Enumerable.Repeat(1L, length)], past: null);
        int start = (length - block) / 2;
        long[] mask = [.. Enumerable.Range(0, length + block).Select(i => i >= start && i < start + block ? 0L : 1L)];
        long[] blockIds = canvas[start..(start + block)];
        long[] blockPositions = positions[start..(start + block)];
        try
        {
            return await MedianAsync(runs, () =>
            {
                using CachedRunResult step = denoiser.RunWithCache(blockIds, 1, block, blockPositions, mask, full.Present);
                step.Present.Dispose();
                return Task.CompletedTask;
            });
        }
        finally
        {
            full.Present.Dispose();
        }
    }

    /// <summary>Generates once with <paramref name="options"/> (after a warm-up) and returns the tokens, the passes and the milliseconds.</summary>
    public static async Task<(IReadOnlyList<int> Tokens, int Nfe, double Milliseconds)> GenerateAsync(IDenoiser denoiser, Packaging.ModelManifest manifest, IReadOnlyList<int> prompt, int answer, SamplerOptions options, bool warmUp = true)
    {
        var sampler = DiffusionSampler.Create(denoiser, manifest);
        var canvas = DiffusionCanvas.CreateBuilder().Add(prompt, answer).Build();
        if (warmUp)
        {
            await sampler.SampleAsync(canvas, options);
        }

        long start = Stopwatch.GetTimestamp();
        SamplingResult result = await sampler.SampleAsync(canvas, options);
        return (result.Sequences[0].Tokens, result.Nfe, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    /// <summary>The decoding settings compared: reference decoding and the threshold rule with a dual cache.</summary>
    public static IEnumerable<(string Name, SamplerOptions Options)> Settings(int answer) =>
    [
        ("reference (1 token/step)", new SamplerOptions { Steps = answer, MaxDegreeOfParallelism = 1 }),
        ("threshold 0.9, blocks of 16, dual cache", new SamplerOptions { Steps = answer, BlockLength = 16, Selection = SelectionRule.Threshold, Threshold = 0.9, CacheMode = CacheMode.Dual, MaxDegreeOfParallelism = 1 }),
    ];

    private static async Task<double> MedianAsync(int runs, Func<Task> run)
    {
        for (int i = 0; i < WarmUps; i++)
        {
            await run();
        }

        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await run();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return runs % 2 == 1 ? times[runs / 2] : (times[(runs / 2) - 1] + times[runs / 2]) / 2;
    }
}
