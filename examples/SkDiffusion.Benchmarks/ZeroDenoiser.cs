using SkDiffusion.Denoising;

namespace SkDiffusion.Benchmarks;

/// <summary>A denoiser that answers at once with zero logits: served, it leaves only the cost of the wire.</summary>
internal sealed class ZeroDenoiser(int vocabularySize, int maxSequenceLength) : IDenoiser
{
    public int VocabularySize => vocabularySize;

    public int MaxSequenceLength => maxSequenceLength;

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        int k = input.LogitsPerRow;
        var logits = new float[input.BatchSize * k * vocabularySize];
        return ValueTask.FromResult(input.LogitsPositions.IsEmpty
            ? new DenoiserOutput(logits, input.BatchSize, input.SequenceLength, vocabularySize)
            : new DenoiserOutput(logits, input.BatchSize, input.SequenceLength, vocabularySize, input.LogitsPositions.Span));
    }

    public void Dispose()
    {
    }
}
