using System.Buffers;

namespace SkDiffusion.Denoising;

/// <summary>A <see cref="DenoiserOutput"/> whose buffer is rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
internal sealed class PooledDenoiserOutput : DenoiserOutput
{
    private float[]? _buffer;

    public PooledDenoiserOutput(float[] buffer, int batchSize, int sequenceLength, int vocabularySize)
        : base(buffer.AsMemory(0, batchSize * sequenceLength * vocabularySize), batchSize, sequenceLength, vocabularySize)
    {
        _buffer = buffer;
    }

    public PooledDenoiserOutput(float[] buffer, int batchSize, int sequenceLength, int vocabularySize, ReadOnlySpan<int> positions)
        : base(buffer.AsMemory(0, positions.Length * vocabularySize), batchSize, sequenceLength, vocabularySize, positions)
    {
        _buffer = buffer;
    }

    protected override void Dispose(bool disposing)
    {
        float[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<float>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }
}
