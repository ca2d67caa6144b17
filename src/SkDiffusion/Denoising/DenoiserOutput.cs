namespace SkDiffusion.Denoising;

/// <summary>Logits returned by <see cref="IDenoiser.DenoiseAsync"/>, aligned so that position i predicts token i.</summary>
public class DenoiserOutput : IDisposable
{
    /// <summary>Creates an output over a logits buffer.</summary>
    /// <param name="logits">Row-major <c>[batchSize, sequenceLength, vocabularySize]</c> logits.</param>
    /// <param name="batchSize">Rows.</param>
    /// <param name="sequenceLength">Positions per row.</param>
    /// <param name="vocabularySize">Logits per position.</param>
    public DenoiserOutput(Memory<float> logits, int batchSize, int sequenceLength, int vocabularySize)
    {
        if (logits.Length != (long)batchSize * sequenceLength * vocabularySize)
        {
            throw new ArgumentException($"Expected {(long)batchSize * sequenceLength * vocabularySize} logits, got {logits.Length}.", nameof(logits));
        }

        Logits = logits;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        VocabularySize = vocabularySize;
    }

    /// <summary>Row-major logits.</summary>
    public Memory<float> Logits { get; }

    /// <summary>Rows.</summary>
    public int BatchSize { get; }

    /// <summary>Positions per row.</summary>
    public int SequenceLength { get; }

    /// <summary>Logits per position.</summary>
    public int VocabularySize { get; }

    /// <summary>The logits of one position.</summary>
    /// <param name="row">The batch row.</param>
    /// <param name="position">The position within the row.</param>
    public Span<float> GetLogits(int row, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, SequenceLength);
        return Logits.Span.Slice(((row * SequenceLength) + position) * VocabularySize, VocabularySize);
    }

    /// <summary>Returns the buffer to its owner; the base implementation owns nothing.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the buffer.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
