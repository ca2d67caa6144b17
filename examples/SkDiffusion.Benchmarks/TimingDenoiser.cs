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

    /// <summary>Drop <see cref="DenoiserInput.LogitsPositions"/>, so the head runs over every position.</summary>
    public bool AllLogits { get; set; }

    public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            if (AllLogits && !input.LogitsPositions.IsEmpty)
            {
                input = new DenoiserInput(input.TokenIds, input.BatchSize, input.SequenceLength, input.AttentionMask);
            }

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
