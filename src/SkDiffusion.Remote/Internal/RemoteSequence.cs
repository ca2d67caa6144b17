namespace SkDiffusion.Remote.Internal;

/// <summary>
/// The client's side of one cached block: the canvas of the full pass that opened it (so that a step can be rebuilt
/// statelessly) and, in server mode, the sequence id under which the server keeps the keys and values.
/// </summary>
internal sealed class RemoteSequence(ulong id, bool onServer, long[] tokens, long[] positions, long[] mask, int rows, int length)
{
    /// <summary>The protocol's <c>sequence_id</c>.</summary>
    public ulong Id { get; } = id;

    /// <summary>Whether the server holds the keys and values (false: every step is rebuilt as a full canvas).</summary>
    public bool OnServer { get; private set; } = onServer;

    /// <summary>Row-major <c>[Rows, Length]</c> tokens of the opening pass.</summary>
    public long[] Tokens { get; } = tokens;

    /// <summary>Row-major absolute positions of the opening pass.</summary>
    public long[] Positions { get; } = positions;

    /// <summary>Row-major attention mask of the opening pass.</summary>
    public long[] Mask { get; } = mask;

    /// <summary>Rows.</summary>
    public int Rows { get; } = rows;

    /// <summary>Canvas length.</summary>
    public int Length { get; } = length;

    /// <summary>The server lost the sequence (evicted or restarted): the remaining steps run statelessly.</summary>
    public void Lose() => OnServer = false;

    /// <summary>
    /// Where a step's run starts in the canvas: the window's first position, found from a row's first real run
    /// position and that row's left padding. All rows must agree.
    /// </summary>
    /// <exception cref="ArgumentException">The rows disagree or the run does not fit in the canvas.</exception>
    public int FindWindowStart(ReadOnlySpan<long> runPositions, ReadOnlySpan<long> runMask, int runLength, int pastLength)
    {
        int start = -1;
        for (int r = 0; r < Rows; r++)
        {
            int offset = Mask.AsSpan(r * Length, Length).IndexOfAnyExcept(0L);
            ReadOnlySpan<long> own = runMask.Slice((r * (pastLength + runLength)) + pastLength, runLength);
            int j = own.IndexOfAnyExcept(0L);
            if (offset < 0 || j < 0)
            {
                continue;
            }

            int rowStart = offset + (int)runPositions[(r * runLength) + j] - j;
            if (start >= 0 && rowStart != start)
            {
                throw new ArgumentException($"The rows of this cached step start at different canvas positions ({start} and {rowStart}); one step must run the same window of every row.", nameof(runPositions));
            }

            start = rowStart;
        }

        if (start < 0 || start + runLength > Length)
        {
            throw new ArgumentException($"This cached step's {runLength} positions do not fall inside the {Length}-position canvas its block opened with.", nameof(runPositions));
        }

        return start;
    }
}
