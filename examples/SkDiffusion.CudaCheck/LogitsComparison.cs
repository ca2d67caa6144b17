using SkDiffusion.Denoising;

namespace SkDiffusion.CudaCheck;

/// <summary>The largest difference between two denoisers' logits over the same canvases.</summary>
internal static class LogitsComparison
{
    /// <summary>Runs both denoisers on <paramref name="canvases"/> and returns the largest absolute difference and the largest |logit|.</summary>
    public static async Task<(double MaxAbs, double MaxLogit)> CompareAsync(IDenoiser expected, IDenoiser actual, IReadOnlyList<long[]> canvases)
    {
        double maxAbs = 0, maxLogit = 0;
        foreach (long[] ids in canvases)
        {
            using DenoiserOutput a = await expected.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length));
            using DenoiserOutput b = await actual.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length));
            for (int p = 0; p < ids.Length; p++)
            {
                Span<float> x = a.GetLogits(0, p), y = b.GetLogits(0, p);
                for (int k = 0; k < x.Length; k++)
                {
                    maxAbs = Math.Max(maxAbs, Math.Abs(x[k] - y[k]));
                    maxLogit = Math.Max(maxLogit, Math.Abs(x[k]));
                }
            }
        }

        return (maxAbs, maxLogit);
    }
}
