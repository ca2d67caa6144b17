using SkDiffusion.Denoising;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Sampling.Internal.Forward;
using SkDiffusion.Sampling.Internal.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// One sampling run: the step loop over the techniques. Each step plans every row (<see cref="RowPlanner"/>), runs the
/// denoiser once (<see cref="IForwardPass"/> over the <see cref="ModelInputBuilder"/>), then per row remasks
/// (<see cref="Remasker"/>), scores and selects (<see cref="RewardGuidedSelection"/> around <see cref="CandidateScorer"/>
/// and an <see cref="ISelectionRule"/>), adds the <see cref="TrailingEosCommit"/>, filters through the
/// <see cref="GrammarGate"/>, commits, and applies the <see cref="EosStopPolicy"/>.
/// </summary>
internal sealed class SamplingRun : IDisposable
{
    private readonly IDenoiser _denoiser;
    private readonly SamplerOptions _options;
    private readonly CanvasState _state;
    private readonly ModelInputBuilder _input;
    private readonly IForwardPass _forward;
    private readonly ISelectionRule _rule;
    private readonly RowPlanner _planner;
    private readonly Remasker _remasker;
    private readonly RewardGuidedSelection _selection;
    private readonly GrammarGate? _grammar;
    private readonly EosStopPolicy? _eosStop;
    private readonly TrailingEosCommit? _trailingEos;
    private readonly CandidateSet _candidates;
    private int _step;
    private int _nfe;

    public SamplingRun(IDenoiser denoiser, SpecialTokenIds ids, bool logitsShifted, DiffusionCanvas canvas, SamplerOptions options)
    {
        _denoiser = denoiser;
        _options = options;
        int length = canvas.SequenceLength;
        if (length > denoiser.MaxSequenceLength)
        {
            throw new ArgumentException($"The canvas is {length} positions long but the denoiser accepts at most {denoiser.MaxSequenceLength}: shorten the prompt or the answer.", nameof(canvas));
        }

        var caching = CheckCache(denoiser, options, logitsShifted);
        _rule = SelectionRules.Create(options.Selection);
        _state = new CanvasState(canvas, ids, denoiser.VocabularySize, logitsShifted, options, _rule.NeedsStepPerBlock);
        _input = new ModelInputBuilder(_state, options.CfgScale > 0);
        _forward = options.CacheMode switch
        {
            CacheMode.Prefix or CacheMode.Dual => new WindowCacheForwardPass(caching!, _state, _input, options.CacheMode == CacheMode.Prefix, logitsShifted),
            CacheMode.Delayed => new DelayedCacheForwardPass(caching!, _state, _input, options.CacheRefresh.Interval),
            CacheMode.Adaptive => new AdaptiveCacheForwardPass(caching!, _state, _input, options.CacheRefresh),
            _ => new FullForwardPass(denoiser, _input, length),
        };
        _remasker = new Remasker(_state, options);
        _planner = new RowPlanner(_state, options, _remasker, _rule);
        _grammar = GrammarGate.Create(canvas, _state.Vocabulary, ids, _state.SlotAllowed, options.GrammarSearch == GrammarSearch.Path && options.Temperature == 0);
        _selection = new RewardGuidedSelection(new CandidateScorer(_state, options, _input.Cfg, _rule.NeedsEntropy, _grammar), _rule, options.RewardGuidance);
        _candidates = new CandidateSet(_state.Batch * length);
        _eosStop = options.StopAtEos ? new EosStopPolicy(_state) : null;
        _trailingEos = options.TrailingEosThreshold is double eos ? new TrailingEosCommit(_state, eos, options.StopAtEos) : null;
    }

    /// <summary>The noise stream of a block rollout (0: the run's own); added to the candidate index of every draw.</summary>
    internal int NoiseStream
    {
        get => _selection.NoiseStream;
        set => _selection.NoiseStream = value;
    }

    /// <summary>The run's state, for <see cref="BlockRollouts"/> to save and restore rows.</summary>
    internal RolloutAccess Access => new(_state.Tokens, _state.Kind, _state.Committed, _state.CommitProbability, _state.Rows, _state.Length, _state.Ids.Mask, CanvasState.KindFilled, s => _step = s);

    public int Steps => _step;

    public int Nfe => _nfe;

    /// <summary>Runs one step that calls the denoiser; null when every row is finished.</summary>
    public async ValueTask<SamplingStepEvent?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_state.AllDone())
            {
                _forward.Dispose();
                return null;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return Stop();
            }

            bool needForward = false;
            for (int r = 0; r < _state.Batch; r++)
            {
                if (_state.Rows[r].Done)
                {
                    continue;
                }

                _planner.EnsureBlock(r);
                if (!_state.Rows[r].Done && _planner.PlanRow(r))
                {
                    needForward = true;
                }
            }

            if (_state.AllDone())
            {
                _forward.Dispose();
                return null;
            }

            if (!needForward)
            {
                // Nothing to commit or remask in this step for any row (more steps than masks): skip the pass.
                foreach (var row in _state.Rows)
                {
                    if (!row.Done)
                    {
                        row.StepInBlock++;
                    }
                }

                continue;
            }

            DenoiserOutput output;
            try
            {
                output = await _forward.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Stop();
            }

            _nfe++;
            var committed = new List<CommittedToken>();
            var remasked = new List<RemaskedToken>();
            var filled = new List<CommittedToken>();
            using (output)
            {
                if (output.BatchSize != _input.Rows || output.SequenceLength != _forward.ExpectedLength || output.VocabularySize != _state.Vocabulary)
                {
                    throw new InvalidOperationException($"The denoiser returned logits [{output.BatchSize}, {output.SequenceLength}, {output.VocabularySize}] for input [{_input.Rows}, {_forward.ExpectedLength}] and vocabulary {_state.Vocabulary}.");
                }

                LogitsGuard.ThrowIfNonFinite(output, _state.Kind, _state.Batch, _state.Length, _forward.LogitsOffset, _denoiser, _step + 1);
                try
                {
                    for (int r = 0; r < _state.Batch; r++)
                    {
                        if (!_state.Rows[r].Done)
                        {
                            await StepRowAsync(r, output, committed, remasked, filled, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // A reward scorer observed the cancellation: the rows already stepped keep their commits.
                    _step++;
                    return Stop();
                }
            }

            var perRow = new int[_state.Batch];
            int left = 0;
            for (int r = 0; r < _state.Batch; r++)
            {
                perRow[r] = _state.Rows[r].MasksLeft;
                left += perRow[r];
            }

            var evt = new SamplingStepEvent(_step, _nfe, left, perRow, committed, remasked, filled, null);
            _step++;
            return evt;
        }
    }

    /// <summary>Builds the result once the loop ended.</summary>
    public SamplingResult BuildResult() => RunResultBuilder.Build(_state, _options, _nfe, _step, _forward.CacheRefreshes);

    /// <summary>Releases the KV cache (on completion, failure, cancellation or an abandoned stream).</summary>
    public void Dispose() => _forward.Dispose();

    private static ICachingDenoiser? CheckCache(IDenoiser denoiser, SamplerOptions options, bool logitsShifted)
    {
        var mode = options.CacheMode;
        if (mode == CacheMode.None)
        {
            return null;
        }

        if (mode is CacheMode.Prefix or CacheMode.Dual && options.BlockLength is null)
        {
            throw new ArgumentException($"CacheMode {mode} needs BlockLength: the cache is refreshed at block boundaries.", nameof(options));
        }

        if (denoiser is not ICachingDenoiser { SupportsCache: true } caching)
        {
            throw new ArgumentException($"CacheMode {mode} needs a denoiser that implements ICachingDenoiser with SupportsCache (e.g. OnnxDenoiser over a package with has_cache = true); {denoiser.GetType().Name} does not. Set CacheMode = CacheMode.None.", nameof(options));
        }

        if (mode is CacheMode.Delayed or CacheMode.Adaptive && logitsShifted)
        {
            throw new ArgumentException($"CacheMode {mode} runs scattered positions, but this model's logits are shifted (Dream: position i is predicted at position i-1, which the run may not hold). Use CacheMode.Prefix or CacheMode.Dual.", nameof(options));
        }

        return caching;
    }

    private SamplingStepEvent? Stop()
    {
        _state.Cancel();
        _forward.Dispose();
        return null;
    }

    private async ValueTask StepRowAsync(int r, DenoiserOutput output, List<CommittedToken> committed, List<RemaskedToken> remasked, List<CommittedToken> filled, CancellationToken cancellationToken)
    {
        var row = _state.Rows[r];
        int baseFlat = _state.RowBase(r);
        var rowTokens = new ReadOnlyMemory<long>(_state.Tokens, baseFlat, row.Length);

        // A schedule step with nothing to commit or remask for this row (another row needed the pass).
        double sigma = _remasker.Sigma(row);
        if (_rule.FollowsPlan && sigma == 0 && !_planner.AnyPlanned(r))
        {
            row.StepInBlock++;
            return;
        }

        // 1. Gather the eligible masked positions of the current block.
        _grammar?.Refresh(r, rowTokens.Span);
        var set = _candidates;
        int count = 0;
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            int flat = baseFlat + p;
            if (_state.IsMasked(flat))
            {
                set.Position[count] = p;
                set.Group[count] = _state.Group(flat);
                count++;
            }
        }

        set.Count = count;

        // 2. Remask (ReMDM) among tokens committed in earlier steps; as ReMDM raises the unmask probability of the same
        // step, each remasked token adds one commit to its group's count in this step.
        int plannedBase = _planner.PlannedBase(r);
        if (sigma > 0)
        {
            int before = remasked.Count;
            _remasker.Remask(r, sigma, remasked);
            for (int k = before; k < remasked.Count; k++)
            {
                _planner.Planned[plannedBase + _state.Group(baseFlat + remasked[k].Position)]++;
            }
        }

        // 3. Score the candidates and select (best of N candidates with reward guidance).
        var context = new SelectionContext(r, row, _step, 0, _planner.Planned, plannedBase, _options);
        await _selection.SelectAsync(set, context, output, _forward.LogitsOffset, rowTokens, cancellationToken).ConfigureAwait(false);

        // 4. Add the trailing EOS run, then commit (grammar slots: in rank order, each kept only while the slot stays
        // feasible).
        _trailingEos?.Choose(r, set);
        _grammar?.FilterCommits(r, rowTokens.Span, set.Position.AsSpan(0, count), set.Token.AsSpan(0, count), set.Score.AsSpan(0, count), set.Chosen.AsSpan(0, count));
        for (int i = 0; i < count; i++)
        {
            if (set.Chosen[i])
            {
                _state.Commit(r, set.Position[i], set.Token[i], set.Probability[i]);
                committed.Add(new CommittedToken(r, set.Position[i], set.Token[i], set.Score[i], set.Probability[i]));
            }
        }

        // 5. Early stop at EOS.
        _eosStop?.Apply(r, filled);

        row.StepInBlock++;
        if (row.MasksLeft == 0 && !_remasker.Active)
        {
            row.Done = true;
        }
    }
}
