using System.Diagnostics;
using SkDiffusion.Denoising;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.CudaCheck;

/// <summary>Times full denoiser passes and whole generations.</summary>
internal static class StepTimer
{
    /// <summary>Median milliseconds of one full pass over a canvas of <paramref name="length"/> positions and <paramref name="batch"/> rows.</summary>
    public static async Task<double> FullPassAsync(IDenoiser denoiser, long[] row, int batch, int runs)
    {
        long[] ids = new long[batch * row.Length];
        for (int r = 0; r < batch; r++)
        {
            row.CopyTo(ids, r * row.Length);
        }

        var input = new DenoiserInput(ids, batch, row.Length);
        for (int i = 0; i < 3; i++)
        {
            (await denoiser.DenoiseAsync(input)).Dispose();
        }

        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            (await denoiser.DenoiseAsync(input)).Dispose();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Generates once with <paramref name="options"/> (after a warm-up) and returns the tokens, the passes and the milliseconds.</summary>
    public static async Task<(IReadOnlyList<int> Tokens, int Nfe, double Milliseconds)> GenerateAsync(IDenoiser denoiser, Packaging.ModelManifest manifest, IReadOnlyList<int> prompt, int answer, SamplerOptions options)
    {
        var sampler = DiffusionSampler.Create(denoiser, manifest);
        var canvas = DiffusionCanvas.CreateBuilder().Add(prompt, answer).Build();
        await sampler.SampleAsync(canvas, options);
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
}
