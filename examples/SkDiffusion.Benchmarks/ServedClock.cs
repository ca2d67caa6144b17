using System.Diagnostics;
using SkDiffusion.Denoising;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Wraps the denoiser a benchmark server serves and notes when its last run started and ended (Stopwatch timestamps),
/// so that a remote step's time splits into the way to the model, the model's run, and the way back.
/// </summary>
internal sealed class ServedClock(ICachingDenoiser inner) : ICachingDenoiser
{
    /// <summary>When the last run entered the denoiser.</summary>
    public long LastStart { get; private set; }

    /// <summary>When the last run left the denoiser.</summary>
    public long LastEnd { get; private set; }

    public int VocabularySize => inner.VocabularySize;

    public int MaxSequenceLength => inner.MaxSequenceLength;

    public bool SupportsCache => inner.SupportsCache;

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default) =>
        TimeAsync(() => inner.DenoiseAsync(input, cancellationToken));

    public ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default) =>
        TimeAsync(() => inner.DenoiseWithCacheAsync(input, cancellationToken));

    public void Dispose()
    {
    }

    private async ValueTask<T> TimeAsync<T>(Func<ValueTask<T>> run)
    {
        LastStart = Stopwatch.GetTimestamp();
        try
        {
            return await run().ConfigureAwait(false);
        }
        finally
        {
            LastEnd = Stopwatch.GetTimestamp();
        }
    }
}
