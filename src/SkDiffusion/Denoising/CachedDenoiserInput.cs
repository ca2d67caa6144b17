namespace SkDiffusion.Denoising;

/// <summary>
/// One cached run for <see cref="ICachingDenoiser.DenoiseWithCacheAsync"/>: S positions of a canvas (at explicit
/// positions) attending to P past positions held in <see cref="Past"/> and to themselves.
/// </summary>
internal sealed class CachedDenoiserInput
{
    /// <summary>Creates an input.</summary>
    /// <param name="tokenIds">Row-major <c>[batchSize, sequenceLength]</c> token ids of this run.</param>
    /// <param name="positionIds">Row-major <c>[batchSize, sequenceLength]</c> absolute positions (padding: 0).</param>
    /// <param name="attentionMask">Row-major <c>[batchSize, P + sequenceLength]</c>: the past's keys first, then this run's.</param>
    /// <param name="batchSize">Rows.</param>
    /// <param name="sequenceLength">Positions run (S).</param>
    /// <param name="past">The past keys and values, or null for none (P = 0).</param>
    /// <param name="returnPresent">Whether to return the present keys and values (past followed by this run's).</param>
    public CachedDenoiserInput(ReadOnlyMemory<long> tokenIds, ReadOnlyMemory<long> positionIds, ReadOnlyMemory<long> attentionMask, int batchSize, int sequenceLength, KvCache? past, bool returnPresent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        int pastLength = past?.Length ?? 0;
        if (tokenIds.Length != (long)batchSize * sequenceLength)
        {
            throw new ArgumentException($"Expected {batchSize * (long)sequenceLength} token ids, got {tokenIds.Length}.", nameof(tokenIds));
        }

        if (positionIds.Length != tokenIds.Length)
        {
            throw new ArgumentException($"Expected {tokenIds.Length} position ids, got {positionIds.Length}.", nameof(positionIds));
        }

        if (attentionMask.Length != (long)batchSize * (pastLength + sequenceLength))
        {
            throw new ArgumentException($"The attention mask needs {batchSize * (long)(pastLength + sequenceLength)} entries ([{batchSize}, {pastLength} + {sequenceLength}]), got {attentionMask.Length}.", nameof(attentionMask));
        }

        if (past is not null && past.BatchSize != batchSize)
        {
            throw new ArgumentException($"The past holds {past.BatchSize} rows; the run has {batchSize}.", nameof(past));
        }

        TokenIds = tokenIds;
        PositionIds = positionIds;
        AttentionMask = attentionMask;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        Past = past;
        ReturnPresent = returnPresent;
    }

    /// <summary>Row-major token ids of this run.</summary>
    public ReadOnlyMemory<long> TokenIds { get; }

    /// <summary>Row-major absolute positions of this run's tokens.</summary>
    public ReadOnlyMemory<long> PositionIds { get; }

    /// <summary>Row-major <c>[BatchSize, PastLength + SequenceLength]</c> mask (1 real, 0 padding).</summary>
    public ReadOnlyMemory<long> AttentionMask { get; }

    /// <summary>Rows.</summary>
    public int BatchSize { get; }

    /// <summary>Positions run (S).</summary>
    public int SequenceLength { get; }

    /// <summary>Positions held in the past (P).</summary>
    public int PastLength => Past?.Length ?? 0;

    /// <summary>The past keys and values; null for none.</summary>
    public KvCache? Past { get; }

    /// <summary>Whether the present keys and values are wanted.</summary>
    public bool ReturnPresent { get; }
}
