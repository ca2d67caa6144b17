using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>
/// dKV-Cache (Ma et al. 2025, "dKV-Cache: The Cache for Diffusion Language Models"), its decode variant with delayed
/// caching: masked positions are never cached; a token's keys and values are cached one step after it is decoded,
/// from the pass that first sees the token itself (the pass that decoded it saw a mask there). Each step runs the
/// positions not cached (the masks and the tokens decoded in the previous step) against the cache; a full pass
/// rebuilds it every <see cref="CacheRefreshOptions.Interval"/> denoiser calls, and whenever a cached token was
/// remasked.
/// </summary>
internal sealed class DelayedCacheForwardPass : IForwardPass
{
    private readonly ICachingDenoiser _denoiser;
    private readonly CanvasState _state;
    private readonly ModelInputBuilder _input;
    private readonly FullCacheRefresh _fullPass;
    private readonly int _interval;
    private readonly int _length;
    private readonly CanvasKvStore _store;
    private readonly bool[] _settled;
    private readonly bool[] _drop;
    private readonly int[] _run;
    private readonly int[] _order;
    private readonly int[] _scratch;
    private int _calls;

    public DelayedCacheForwardPass(ICachingDenoiser denoiser, CanvasState state, ModelInputBuilder input, int interval)
    {
        _denoiser = denoiser;
        _state = state;
        _input = input;
        _interval = interval;
        _length = state.Length;
        _store = new CanvasKvStore(CacheMode.Delayed, _length);
        _settled = new bool[_length];
        _drop = new bool[_length];
        _run = new int[_length];
        _fullPass = new FullCacheRefresh(denoiser, input, _length);
        _order = new int[_length];
        _scratch = new int[input.Rows * _length];
    }

    public int LogitsOffset => 0;

    public int ExpectedLength => _length;

    /// <inheritdoc />
    public int CacheRefreshes => _fullPass.Count;

    public async ValueTask<DenoiserOutput> RunAsync(CancellationToken cancellationToken)
    {
        _input.WriteRows();

        // A position is settled when no row holds a mask there: its keys and values now see its final input.
        bool evict = false;
        for (int i = 0; i < _length; i++)
        {
            bool settled = true;
            for (int r = 0; r < _state.Batch && settled; r++)
            {
                settled = !_state.IsMasked((r * _length) + i);
            }

            _settled[i] = settled;
            evict |= !settled && _store.Contains(i); // remasked after it was cached
        }

        if (_store.Cache is null || evict || _calls % _interval == 0)
        {
            _calls = 1;
            var full = await _fullPass.RunAsync(_run, cancellationToken).ConfigureAwait(false);
            try
            {
                _store.Replace(full.Present, _run.AsSpan(0, _length));
            }
            catch
            {
                full.Logits.Dispose();
                throw;
            }

            // Keep the settled positions only: a mask's keys and values are never cached.
            for (int i = 0; i < _length; i++)
            {
                _drop[i] = !_settled[i];
            }

            _store.Replace(_store.Gather(_drop, _order, out int kept), _order.AsSpan(0, kept));
            return full.Logits;
        }

        _calls++;

        // The run: first the settled positions not cached yet (decoded in the previous step; cached after this run),
        // then the masks.
        int n = 0;
        for (int i = 0; i < _length; i++)
        {
            if (_settled[i] && !_store.Contains(i))
            {
                _run[n++] = i;
            }
        }

        int newlySettled = n;
        for (int i = 0; i < _length; i++)
        {
            if (!_settled[i])
            {
                _run[n++] = i;
            }
        }

        var input = _input.CachedInput(_store.Order, _run.AsSpan(0, n), _store.Cache, newlySettled > 0);
        var run = await _denoiser.DenoiseWithCacheAsync(input, cancellationToken).ConfigureAwait(false);
        if (newlySettled > 0)
        {
            KvCache? present = run.Present;
            if (present is null)
            {
                run.Logits.Dispose();
                throw new InvalidOperationException("The caching denoiser returned no present keys and values.");
            }

            int count = _store.Count;
            _store.Order.CopyTo(_order);
            _run.AsSpan(0, newlySettled).CopyTo(_order.AsSpan(count));
            using (present)
            {
                _store.Replace(present.Slice(count + newlySettled), _order.AsSpan(0, count + newlySettled));
            }
        }

        return RemappedOutput.Create(run.Logits, _length, _run.AsSpan(0, n), _scratch);
    }

    public void Dispose() => _store.Dispose();
}
