namespace SkDiffusion.Denoising;

/// <summary>One batch of canvases for <see cref="IDenoiser.DenoiseAsync"/>.</summary>
public sealed class DenoiserInput
{
    /// <summary>Creates an input.</summary>
    /// <param name="tokenIds">Row-major token ids, <c>batchSize * sequenceLength</c> of them.</param>
    /// <param name="batchSize">Rows in the batch.</param>
    /// <param name="sequenceLength">Positions per row.</param>
    /// <param name="attentionMask">Optional row-major mask (1 real, 0 left padding); empty means all real.</param>
    public DenoiserInput(ReadOnlyMemory<long> tokenIds, int batchSize, int sequenceLength, ReadOnlyMemory<long> attentionMask = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        if (tokenIds.Length != (long)batchSize * sequenceLength)
        {
            throw new ArgumentException($"Expected {batchSize * (long)sequenceLength} token ids for batch {batchSize} x length {sequenceLength}, got {tokenIds.Length}.", nameof(tokenIds));
        }

        if (!attentionMask.IsEmpty && attentionMask.Length != tokenIds.Length)
        {
            throw new ArgumentException($"The attention mask has {attentionMask.Length} entries; it needs one per token ({tokenIds.Length}).", nameof(attentionMask));
        }

        TokenIds = tokenIds;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        AttentionMask = attentionMask;
    }

    /// <summary>Row-major token ids.</summary>
    public ReadOnlyMemory<long> TokenIds { get; }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Positions per row.</summary>
    public int SequenceLength { get; }

    /// <summary>Row-major attention mask (1 real, 0 padding); empty when every position is real.</summary>
    public ReadOnlyMemory<long> AttentionMask { get; }
}
