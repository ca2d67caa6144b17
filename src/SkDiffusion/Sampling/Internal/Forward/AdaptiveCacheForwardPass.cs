using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>
/// dLLM-Cache (Liu et al. 2025, "dLLM-Cache: Accelerating Diffusion Large Language Models with Adaptive Caching"), on
/// the keys and values a graph exposes: every position stays cached; the prompt is refreshed by a full pass every
/// <see cref="CacheRefreshOptions.PromptInterval"/> calls, the whole response every
/// <see cref="CacheRefreshOptions.Interval"/> calls, and the other steps run the current blocks' masks plus the
/// <see cref="CacheRefreshOptions.ResponseFraction"/> of the response positions whose values are least similar to the
/// cache: first those whose token changed since they were cached (at the first layer a value depends on the token
/// alone), then those whose value vectors moved most (lowest cosine similarity) the last time they ran.
/// </summary>
internal sealed class AdaptiveCacheForwardPass : IForwardPass
{
    private readonly ICachingDenoiser _denoiser;
    private readonly CanvasState _state;
    private readonly ModelInputBuilder _input;
    private readonly FullCacheRefresh _fullPass;
    private readonly CacheRefreshOptions _refresh;
    private readonly int _length;
    private readonly CanvasKvStore _store;
    private readonly bool[] _response;
    private readonly int _responseCount;
    private readonly bool[] _inRun;
    private readonly double[] _similarity;
    private readonly double[] _runSimilarity;
    private readonly long[] _cachedTokens;
    private readonly int[] _run;
    private readonly int[] _order;
    private readonly int[] _candidates;
    private readonly double[] _keys;
    private readonly int[] _scratch;
    private int _calls;

    public AdaptiveCacheForwardPass(ICachingDenoiser denoiser, CanvasState state, ModelInputBuilder input, CacheRefreshOptions refresh)
    {
        _denoiser = denoiser;
        _state = state;
        _input = input;
        _refresh = refresh;
        _length = state.Length;
        _store = new CanvasKvStore(CacheMode.Adaptive, _length);
        _response = new bool[_length];
        foreach (var row in state.Rows)
        {
            for (int i = row.Offset + row.PromptLength; i < _length; i++)
            {
                _response[i] = true;
            }
        }

        _responseCount = _response.Count(r => r);
        _inRun = new bool[_length];
        _similarity = new double[_length];
        _similarity.AsSpan().Fill(1);
        _runSimilarity = new double[_length];
        _cachedTokens = new long[state.Tokens.Length];
        _run = new int[_length];
        _fullPass = new FullCacheRefresh(denoiser, input, _length);
        _order = new int[_length];
        _candidates = new int[_length];
        _keys = new double[_length];
        _scratch = new int[input.Rows * _length];
    }

    public int LogitsOffset => 0;

    public int ExpectedLength => _length;

    /// <inheritdoc />
    public int CacheRefreshes => _fullPass.Count;

    public async ValueTask<DenoiserOutput> RunAsync(CancellationToken cancellationToken)
    {
        _input.WriteRows();
        int call = _calls++;
        if (_store.Cache is null || call % _refresh.PromptInterval == 0)
        {
            var full = await _fullPass.RunAsync(_run, cancellationToken).ConfigureAwait(false);
            try
            {
                if (_store.Cache is not null && full.Present is { } present)
                {
                    _store.ValueSimilarity(present, 0, _run.AsSpan(0, _length), _similarity);
                }

                _store.Replace(full.Present, _run.AsSpan(0, _length));
            }
            catch
            {
                full.Logits.Dispose();
                throw;
            }

            _state.Tokens.CopyTo(_cachedTokens, 0);
            return full.Logits;
        }

        int n = call % _refresh.Interval == 0 ? ResponseRun() : PartialRun();
        Array.Clear(_inRun);
        for (int k = 0; k < n; k++)
        {
            _inRun[_run[k]] = true;
        }

        using var past = _store.Gather(_inRun, _order, out int pastCount);
        var run = await _denoiser.DenoiseWithCacheAsync(_input.CachedInput(_order.AsSpan(0, pastCount), _run.AsSpan(0, n), past, true), cancellationToken).ConfigureAwait(false);
        try
        {
            KvCache present = run.Present ?? throw new InvalidOperationException("The caching denoiser returned no present keys and values.");
            _store.ValueSimilarity(present, pastCount, _run.AsSpan(0, n), _runSimilarity);
            _run.AsSpan(0, n).CopyTo(_order.AsSpan(pastCount));
            _store.Replace(present, _order.AsSpan(0, pastCount + n));
        }
        catch
        {
            run.Logits.Dispose();
            throw;
        }

        for (int k = 0; k < n; k++)
        {
            int i = _run[k];
            _similarity[i] = _runSimilarity[k];
            for (int r = 0; r < _state.Batch; r++)
            {
                _cachedTokens[(r * _length) + i] = _state.Tokens[(r * _length) + i];
            }
        }

        return RemappedOutput.Create(run.Logits, _length, _run.AsSpan(0, n), _scratch);
    }

    public void Dispose() => _store.Dispose();

    private int ResponseRun()
    {
        int n = 0;
        for (int i = 0; i < _length; i++)
        {
            if (_response[i])
            {
                _run[n++] = i;
            }
        }

        return n;
    }

    /// <summary>The current blocks' masks plus the least similar share of the other response positions, in order.</summary>
    private int PartialRun()
    {
        Array.Clear(_inRun);
        for (int r = 0; r < _state.Batch; r++)
        {
            var row = _state.Rows[r];
            int baseFlat = _state.RowBase(r);
            for (int p = row.BlockStart; p < row.BlockEnd && !row.Done; p++)
            {
                _inRun[row.Offset + p] |= _state.IsMasked(baseFlat + p);
            }
        }

        int count = 0;
        for (int i = 0; i < _length; i++)
        {
            if (_response[i] && !_inRun[i])
            {
                _candidates[count++] = i;
                _keys[i] = Changed(i) ? -2 : _similarity[i];
            }
        }

        int take = Math.Min(count, (int)Math.Ceiling(_refresh.ResponseFraction * _responseCount));
        var candidates = _candidates.AsSpan(0, count);
        double[] keys = _keys;
        candidates.Sort((a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b)); // ties: the earlier position
        for (int k = 0; k < take; k++)
        {
            _inRun[candidates[k]] = true;
        }

        int n = 0;
        for (int i = 0; i < _length; i++)
        {
            if (_inRun[i])
            {
                _run[n++] = i;
            }
        }

        return n;
    }

    private bool Changed(int position)
    {
        for (int r = 0; r < _state.Batch; r++)
        {
            int flat = (r * _length) + position;
            if (_cachedTokens[flat] != _state.Tokens[flat])
            {
                return true;
            }
        }

        return false;
    }
}
