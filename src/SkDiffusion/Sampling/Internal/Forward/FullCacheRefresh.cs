using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>
/// The whole-canvas pass with which the cached forward passes (re)build their key/value cache: every position runs,
/// nothing is past, and the present keys and values come back. Counts the passes it ran.
/// </summary>
internal sealed class FullCacheRefresh(ICachingDenoiser denoiser, ModelInputBuilder input, int length)
{
    /// <summary>Whole-canvas passes run so far.</summary>
    public int Count { get; private set; }

    /// <summary>Runs the whole canvas; on return <paramref name="run"/> holds positions <c>0..length-1</c>.</summary>
    public async ValueTask<CachedDenoiserOutput> RunAsync(int[] run, CancellationToken cancellationToken)
    {
        int all = Positions.Fill(run, 0, 0, length);
        var full = await denoiser.DenoiseWithCacheAsync(input.CachedInput([], run.AsSpan(0, all), null, true), cancellationToken).ConfigureAwait(false);
        Count++;
        return full;
    }
}
