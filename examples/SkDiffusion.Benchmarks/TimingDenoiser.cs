using System.Diagnostics;
using SkDiffusion.Denoising;

namespace SkDiffusion.Benchmarks;

/// <summary>Wraps a caching denoiser and adds up the time spent inside its runs.</summary>
internal sealed class TimingDenoiser(ICachingDenoiser inner) : ICachingDenoiser
{
    /// <summary>Stopwatch ticks spent inside the inner denoiser.</summary>
    public long Ticks { get; set; }

    public int VocabularySize => inner.VocabularySize;

    public int MaxSequenceLength => inner.MaxSequenceLength;

    public bool SupportsCache => inner.SupportsCache;

    public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.DenoiseAsync(input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Ticks += Stopwatch.GetTimestamp() - start;
        }
    }

    public async ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return await inner.DenoiseWithCacheAsync(input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Ticks += Stopwatch.GetTimestamp() - start;
        }
    }

    public void Dispose()
    {
    }
}
