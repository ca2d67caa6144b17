using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Reliability;

/// <summary>Wraps a denoiser and counts its calls; an optional hook runs before each call (e.g. to cancel after step k).</summary>
internal sealed class CountingDenoiser(IDenoiser inner) : IDenoiser
{
    private int _calls;

    /// <summary>Calls so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Runs with the 1-based number of the call about to start.</summary>
    public Action<int>? BeforeCall { get; set; }

    public int VocabularySize => inner.VocabularySize;

    public int MaxSequenceLength => inner.MaxSequenceLength;

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        BeforeCall?.Invoke(call);
        return inner.DenoiseAsync(input, cancellationToken);
    }

    public void Dispose() => inner.Dispose();
}
