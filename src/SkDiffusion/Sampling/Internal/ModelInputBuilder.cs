using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// The only producer of what the denoiser sees: the batch rows (the canvas rows and, with classifier-free guidance,
/// their unconditional copies with the prompt masked), the attention mask, the logits positions of a full pass, and
/// the tokens, position ids and past-and-run masks of a cached run. Both forward paths build their inputs here, so
/// CFG cannot be missed by one of them.
/// </summary>
internal sealed class ModelInputBuilder
{
    private readonly CanvasState _state;
    private readonly long[] _tokens;
    private readonly long[] _attention;
    private readonly int _batch;
    private readonly int _length;
    private int[]? _logitsPositions;
    private long[] _runTokens = [];
    private long[] _runPositions = [];
    private long[] _runMask = [];

    public ModelInputBuilder(CanvasState state, bool cfg)
    {
        _state = state;
        Cfg = cfg;
        _batch = state.Batch;
        _length = state.Length;
        Rows = cfg ? 2 * _batch : _batch;
        _tokens = new long[Rows * _length];
        _attention = state.Canvas.HasPadding ? new long[Rows * _length] : [];
        for (int rr = 0; rr < Rows && _attention.Length > 0; rr++)
        {
            int offset = state.Rows[rr % _batch].Offset;
            for (int i = 0; i < _length; i++)
            {
                _attention[(rr * _length) + i] = i < offset ? 0 : 1;
            }
        }
    }

    /// <summary>Whether the batch carries CFG's unconditional rows after the canvas rows.</summary>
    public bool Cfg { get; }

    /// <summary>Batch rows sent to the denoiser.</summary>
    public int Rows { get; }

    /// <summary>
    /// Writes the batch rows from the canvas: the canvas rows, then (CFG) the unconditional rows, i.e. the same canvas
    /// with the prompt positions masked (template fixed tokens kept). Called before every denoiser call.
    /// </summary>
    public void WriteRows()
    {
        int n = _batch * _length;
        Array.Copy(_state.Tokens, 0, _tokens, 0, n);
        if (!Cfg)
        {
            return;
        }

        Array.Copy(_state.Tokens, 0, _tokens, n, n);
        long mask = _state.Ids.Mask;
        for (int i = 0; i < n; i++)
        {
            if (_state.Kind[i] == CanvasState.KindPrompt)
            {
                _tokens[n + i] = mask;
            }
        }
    }

    /// <summary>The input of a full pass over the canvas, asking for logits only at the current blocks' masks.</summary>
    public DenoiserInput FullInput()
    {
        int perRow = FillLogitsPositions();
        if (perRow >= _length)
        {
            return new DenoiserInput(_tokens, Rows, _length, _attention);
        }

        // CFG's unconditional rows need the same positions as their conditional rows.
        if (Cfg)
        {
            Array.Copy(_logitsPositions!, 0, _logitsPositions!, _batch * perRow, _batch * perRow);
        }

        return new DenoiserInput(_tokens, Rows, _length, _attention, new ReadOnlyMemory<int>(_logitsPositions, 0, Rows * perRow));
    }

    /// <summary>
    /// The input of a cached run: the positions <paramref name="run"/> (padded coordinates) run afresh against
    /// <paramref name="past"/>, whose keys and values hold the positions <paramref name="pastPositions"/> in that order.
    /// The mask covers the past then the run (padding 0); past positions marked in <paramref name="hidden"/> (indexed
    /// by padded position; empty for none) are masked out as well: stale entries of a cache kept whole, whose
    /// positions the run supplies afresh.
    /// </summary>
    public CachedDenoiserInput CachedInput(ReadOnlySpan<int> pastPositions, ReadOnlySpan<int> run, KvCache? past, bool returnPresent, ReadOnlySpan<bool> hidden = default)
    {
        int n = run.Length;
        int width = pastPositions.Length + n;
        if (_runTokens.Length < Rows * n || _runMask.Length < Rows * width)
        {
            _runTokens = new long[Rows * _length];
            _runPositions = new long[Rows * _length];

            // A whole (device-resident) cache is masked over all its positions plus the run's: up to twice the canvas.
            _runMask = new long[Rows * 2 * _length];
        }

        for (int rr = 0; rr < Rows; rr++)
        {
            int offset = _state.Rows[rr % _batch].Offset;
            int src = rr * _length;
            int m = rr * width;
            foreach (int i in pastPositions)
            {
                _runMask[m++] = i < offset || (!hidden.IsEmpty && hidden[i]) ? 0 : 1;
            }

            for (int k = 0; k < n; k++)
            {
                int i = run[k];
                _runTokens[(rr * n) + k] = _tokens[src + i];
                _runPositions[(rr * n) + k] = i < offset ? 0 : i - offset;
                _runMask[m++] = i < offset ? 0 : 1;
            }
        }

        return new CachedDenoiserInput(
            new ReadOnlyMemory<long>(_runTokens, 0, Rows * n),
            new ReadOnlyMemory<long>(_runPositions, 0, Rows * n),
            new ReadOnlyMemory<long>(_runMask, 0, Rows * width),
            Rows,
            n,
            past is { Length: > 0 } ? past : null,
            returnPresent);
    }

    /// <summary>
    /// Lists, per row, the padded positions this step will read logits for (the masked positions of the row's current
    /// block), padded to one count by repeating a row's first entry.
    /// </summary>
    /// <returns>The positions per row.</returns>
    private int FillLogitsPositions()
    {
        _logitsPositions ??= new int[Rows * _length];
        int perRow = 1;
        for (int r = 0; r < _batch; r++)
        {
            var row = _state.Rows[r];
            if (!row.Done)
            {
                perRow = Math.Max(perRow, _state.CountMasks(_state.RowBase(r), row.BlockStart, row.BlockEnd));
            }
        }

        if (perRow >= _length)
        {
            return _length;
        }

        for (int r = 0; r < _batch; r++)
        {
            var row = _state.Rows[r];
            int baseFlat = _state.RowBase(r);
            int n = 0;
            if (!row.Done)
            {
                for (int p = row.BlockStart; p < row.BlockEnd; p++)
                {
                    if (_state.IsMasked(baseFlat + p))
                    {
                        _logitsPositions[(r * perRow) + n++] = row.Offset + p;
                    }
                }
            }

            int pad = n > 0 ? _logitsPositions[r * perRow] : _length - 1;
            while (n < perRow)
            {
                _logitsPositions[(r * perRow) + n++] = pad;
            }
        }

        return perRow;
    }
}
