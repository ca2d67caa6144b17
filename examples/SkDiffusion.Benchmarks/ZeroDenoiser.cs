using SkDiffusion.Denoising;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// A denoiser that answers at once with zero logits from one shared, never-written buffer: served, it leaves only the
/// cost of the wire. It has no cached runs (<see cref="SupportsCache"/> is false).
/// </summary>
internal sealed class ZeroDenoiser(int vocabularySize, int maxSequenceLength) : ICachingDenoiser
{
    private float[] _zeros = [];

    public int VocabularySize => vocabularySize;

    public int MaxSequenceLength => maxSequenceLength;

    public bool SupportsCache => false;

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        int count = input.BatchSize * input.LogitsPerRow * vocabularySize;
        float[] zeros = _zeros;
        if (zeros.Length < count)
        {
            zeros = new float[count];
            _zeros = zeros;
        }

        Memory<float> logits = zeros.AsMemory(0, count);
        return ValueTask.FromResult(input.LogitsPositions.IsEmpty
            ? new DenoiserOutput(logits, input.BatchSize, input.SequenceLength, vocabularySize)
            : new DenoiserOutput(logits, input.BatchSize, input.SequenceLength, vocabularySize, input.LogitsPositions.Span));
    }

    public ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("ZeroDenoiser has no cached runs.");

    public void Dispose()
    {
    }
}
