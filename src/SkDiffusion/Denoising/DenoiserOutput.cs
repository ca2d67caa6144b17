using System.Buffers;

namespace SkDiffusion.Denoising;

/// <summary>
/// Logits returned by <see cref="IDenoiser.DenoiseAsync"/>, aligned so that position i predicts token i. Either every
/// position of every row has logits, or (when the input named <see cref="DenoiserInput.LogitsPositions"/>) only some do;
/// <see cref="GetLogits"/> finds a position's logits either way.
/// </summary>
public class DenoiserOutput : IDisposable
{
    private readonly bool _partial;
    private int[]? _index;

    /// <summary>Creates an output over a logits buffer with every position.</summary>
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
        PositionsPerRow = sequenceLength;
    }

    /// <summary>Creates an output that holds the logits of some positions only.</summary>
    /// <param name="logits">Row-major <c>[batchSize, K, vocabularySize]</c> logits, K = <c>positions.Length / batchSize</c>.</param>
    /// <param name="batchSize">Rows.</param>
    /// <param name="sequenceLength">Positions per row of the canvas.</param>
    /// <param name="vocabularySize">Logits per position.</param>
    /// <param name="positions">Row-major <c>[batchSize, K]</c>: the canvas position of each logits row (repeats allowed).</param>
    public DenoiserOutput(Memory<float> logits, int batchSize, int sequenceLength, int vocabularySize, ReadOnlySpan<int> positions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (positions.Length % batchSize != 0)
        {
            throw new ArgumentException($"The {positions.Length} positions do not split evenly over {batchSize} rows.", nameof(positions));
        }

        int k = positions.Length / batchSize;
        if (logits.Length != (long)batchSize * k * vocabularySize)
        {
            throw new ArgumentException($"Expected {(long)batchSize * k * vocabularySize} logits for {k} positions per row, got {logits.Length}.", nameof(logits));
        }

        Logits = logits;
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        VocabularySize = vocabularySize;
        PositionsPerRow = k;
        _partial = true;
        int size = batchSize * sequenceLength;
        _index = ArrayPool<int>.Shared.Rent(size);
        _index.AsSpan(0, size).Fill(-1);
        for (int i = 0; i < positions.Length; i++)
        {
            int row = i / k;
            if ((uint)positions[i] >= (uint)sequenceLength)
            {
                ArrayPool<int>.Shared.Return(_index);
                _index = null;
                throw new ArgumentException($"Position {positions[i]} (entry {i}) is outside the row [0, {sequenceLength}).", nameof(positions));
            }

            _index[(row * sequenceLength) + positions[i]] = i;
        }
    }

    /// <summary>Row-major logits: <c>[BatchSize, PositionsPerRow, VocabularySize]</c>.</summary>
    public Memory<float> Logits { get; }

    /// <summary>Rows.</summary>
    public int BatchSize { get; }

    /// <summary>Positions per row of the canvas.</summary>
    public int SequenceLength { get; }

    /// <summary>Logits per position.</summary>
    public int VocabularySize { get; }

    /// <summary>The logits rows held per canvas row: <see cref="SequenceLength"/> unless only some positions were computed.</summary>
    public int PositionsPerRow { get; }

    /// <summary>Whether the logits of <paramref name="position"/> in <paramref name="row"/> are held.</summary>
    /// <param name="row">The batch row.</param>
    /// <param name="position">The position within the row.</param>
    public bool HasLogits(int row, int position) =>
        (uint)row < (uint)BatchSize && (uint)position < (uint)SequenceLength && (!_partial || (_index is int[] index && index[(row * SequenceLength) + position] >= 0));

    /// <summary>The logits of one position.</summary>
    /// <param name="row">The batch row.</param>
    /// <param name="position">The position within the row.</param>
    /// <exception cref="ArgumentOutOfRangeException">The row or position is outside the output.</exception>
    /// <exception cref="InvalidOperationException">The position's logits were not asked for.</exception>
    public Span<float> GetLogits(int row, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, SequenceLength);
        int at;
        int[]? index = _index;
        if (!_partial)
        {
            at = (row * SequenceLength) + position;
        }
        else
        {
            ObjectDisposedException.ThrowIf(index is null, this);
            at = index[(row * SequenceLength) + position];
            if (at < 0)
            {
                throw new InvalidOperationException($"The logits of row {row}, position {position} were not computed: add the position to DenoiserInput.LogitsPositions.");
            }
        }

        return Logits.Span.Slice(at * VocabularySize, VocabularySize);
    }

    /// <summary>Returns the buffer to its owner; the base implementation owns only its position index.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the buffer.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        int[]? index = Interlocked.Exchange(ref _index, null);
        if (index is not null)
        {
            ArrayPool<int>.Shared.Return(index);
        }
    }
}
