using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>
/// Fast-dLLM's prefix and dual caches. The window is the union of the unfinished rows' current blocks (padded
/// coordinates; one position earlier for shifted logits). When it changes (a block start) one full pass runs, its
/// logits serve that step and the keys and values outside the window are kept: before it (prefix) or before and after
/// it (dual). The other steps run <c>window..end</c> (prefix) or the window (dual) against that past.
/// </summary>
internal sealed class WindowCacheForwardPass : IForwardPass
{
    private readonly ICachingDenoiser _denoiser;
    private readonly CanvasState _state;
    private readonly ModelInputBuilder _input;
    private readonly FullCacheRefresh _fullPass;
    private readonly bool _prefix;
    private readonly int _shift;
    private readonly int _length;
    private readonly int[] _past;
    private readonly int[] _run;
    private readonly bool[] _hidden;
    private KvCache? _kv;

    // A device-resident cache cannot be trimmed on the host: it is kept whole and the window is masked out instead.
    private bool _kvWhole;
    private int _windowStart = -1;
    private int _windowEnd = -1;

    public WindowCacheForwardPass(ICachingDenoiser denoiser, CanvasState state, ModelInputBuilder input, bool prefix, bool logitsShifted)
    {
        _denoiser = denoiser;
        _state = state;
        _input = input;
        _prefix = prefix;
        _shift = logitsShifted ? 1 : 0;
        _length = state.Length;
        _past = new int[_length];
        _run = new int[_length];
        _fullPass = new FullCacheRefresh(denoiser, input, _length);
        _hidden = new bool[_length];
    }

    public int LogitsOffset { get; private set; }

    public int ExpectedLength { get; private set; }

    /// <inheritdoc />
    public int CacheRefreshes => _fullPass.Count;

    public async ValueTask<DenoiserOutput> RunAsync(CancellationToken cancellationToken)
    {
        _input.WriteRows();
        int start = _length, end = 0;
        foreach (var row in _state.Rows)
        {
            if (!row.Done)
            {
                start = Math.Min(start, row.Offset + row.BlockStart);
                end = Math.Max(end, row.Offset + row.BlockEnd);
            }
        }

        // Shifted logits (Dream): position i is predicted at i-1, so the run starts one position earlier.
        start = Math.Max(0, start - _shift);
        if (_kv is null || start != _windowStart || end != _windowEnd)
        {
            // Block boundary: one full pass, keeping the keys and values outside the window.
            var refresh = await _fullPass.RunAsync(_run, cancellationToken).ConfigureAwait(false);
            KvCache present = refresh.Present ?? throw new InvalidOperationException("The caching denoiser returned no present keys and values.");
            _kv?.Dispose();
            _kvWhole = !present.IsHostResident;
            if (_kvWhole)
            {
                // Device memory (CUDA): no host copy. The whole canvas stays cached; the steps of this block mask the
                // positions the cache must not hold (the window, and for the prefix cache everything after it).
                _kv = present;
            }
            else
            {
                using (present)
                {
                    _kv = _prefix ? present.Slice(start) : present.Without(start, end);
                }
            }

            _windowStart = start;
            _windowEnd = end;
            LogitsOffset = 0;
            ExpectedLength = _length;
            return refresh.Logits;
        }

        int runEnd = _prefix ? _length : end;
        int n = Positions.Fill(_run, 0, start, runEnd);
        int pastCount;
        if (_kvWhole)
        {
            pastCount = Positions.Fill(_past, 0, 0, _length);
            Array.Clear(_hidden);
            _hidden.AsSpan(start, n).Fill(true); // the positions this run supplies afresh
        }
        else
        {
            pastCount = Positions.Fill(_past, 0, 0, start);
            pastCount = _prefix ? pastCount : Positions.Fill(_past, pastCount, end, _length);
        }

        var input = _input.CachedInput(_past.AsSpan(0, pastCount), _run.AsSpan(0, n), _kv, false, _kvWhole ? _hidden : default);
        var run = await _denoiser.DenoiseWithCacheAsync(input, cancellationToken).ConfigureAwait(false);
        LogitsOffset = start;
        ExpectedLength = n;
        return run.Logits;
    }

    /// <summary>Releases the cache (on completion, failure, cancellation or an abandoned stream).</summary>
    public void Dispose()
    {
        _kv?.Dispose();
        _kv = null;
        _windowStart = -1;
        _windowEnd = -1;
    }
}
