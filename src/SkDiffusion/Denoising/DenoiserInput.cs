namespace SkDiffusion.Denoising;

/// <summary>One batch of canvases for <see cref="IDenoiser.DenoiseAsync"/>.</summary>
public sealed class DenoiserInput
{
    /// <summary>Creates an input.</summary>
    /// <param name="tokenIds">Row-major token ids, <c>batchSize * sequenceLength</c> of them.</param>
    /// <param name="batchSize">Rows in the batch.</param>
    /// <param name="sequenceLength">Positions per row.</param>
    /// <param name="attentionMask">Optional row-major mask (1 real, 0 left padding); empty means all real.</param>
    /// <param name="logitsPositions">
    /// Optional row-major <c>[batchSize, K]</c> positions whose logits are needed (the same count K for every row; repeat a
    /// position to pad a row). Empty means every position. A denoiser may return more than was asked for, never less.
    /// </param>
    /// <exception cref="ArgumentException">A length does not match the batch, or a logits position is outside the row.</exception>
    public DenoiserInput(ReadOnlyMemory<long> tokenIds, int batchSize, int sequenceLength, ReadOnlyMemory<long> attentionMask = default, ReadOnlyMemory<int> logitsPositions = default)
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

        if (!logitsPositions.IsEmpty)
        {
            if (logitsPositions.Length % batchSize != 0)
            {
                throw new ArgumentException($"The {logitsPositions.Length} logits positions do not split evenly over {batchSize} rows; give every row the same count (repeat a position to pad).", nameof(logitsPositions));
            }

            ReadOnlySpan<int> span = logitsPositions.Span;
            for (int i = 0; i < span.Length; i++)
            {
                if ((uint)span[i] >= (uint)sequenceLength)
                {
                    throw new ArgumentException($"Logits position {span[i]} (entry {i}) is outside the row [0, {sequenceLength}).", nameof(logitsPositions));
                }
            }
        }

        TokenIds = tokenIds;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        AttentionMask = attentionMask;
        LogitsPositions = logitsPositions;
    }

    /// <summary>Row-major token ids.</summary>
    public ReadOnlyMemory<long> TokenIds { get; }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize { get; }

    /// <summary>Positions per row.</summary>
    public int SequenceLength { get; }

    /// <summary>Row-major attention mask (1 real, 0 padding); empty when every position is real.</summary>
    public ReadOnlyMemory<long> AttentionMask { get; }

    /// <summary>Row-major <c>[BatchSize, LogitsPerRow]</c> positions whose logits are needed; empty for every position.</summary>
    public ReadOnlyMemory<int> LogitsPositions { get; }

    /// <summary>The number of logits positions per row: <see cref="SequenceLength"/> when <see cref="LogitsPositions"/> is empty.</summary>
    public int LogitsPerRow => LogitsPositions.IsEmpty ? SequenceLength : LogitsPositions.Length / BatchSize;
}
