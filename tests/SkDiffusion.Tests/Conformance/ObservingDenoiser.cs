using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Conformance;

/// <summary>Wraps a denoiser (not owned): counts calls, tracks how many run at once, keeps the last call's first row, can slow each call down.</summary>
internal sealed class ObservingDenoiser(IDenoiser inner) : IDenoiser
{
    private int _calls;
    private int _inFlight;
    private int _maxInFlight;
    private long[] _lastRow = [];

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The most calls that ran at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>The first row of the last call's token ids (prompt and canvas).</summary>
    public long[] LastRow => Volatile.Read(ref _lastRow);

    /// <summary>Extra time per call, so that overlapping calls are observable on a busy machine.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Runs with the 1-based number of the call about to start.</summary>
    public Action<int>? BeforeCall { get; set; }

    public int VocabularySize => inner.VocabularySize;

    public int MaxSequenceLength => inner.MaxSequenceLength;

    public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        int call = Interlocked.Increment(ref _calls);
        BeforeCall?.Invoke(call);
        int now = Interlocked.Increment(ref _inFlight);
        try
        {
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            Volatile.Write(ref _lastRow, input.TokenIds.Span[..input.SequenceLength].ToArray());
            if (Delay > TimeSpan.Zero)
            {
                Thread.Sleep(Delay);
            }

            return await inner.DenoiseAsync(input, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public void Dispose()
    {
    }
}
