using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using SkDiffusion.Denoising;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Constraints;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>One sampling run: the canvas state, reusable buffers and the step loop.</summary>
internal sealed class SamplingRun : IDisposable
{
    private const byte KindPad = 0;
    private const byte KindPrompt = 1;
    private const byte KindFixed = 2;
    private const byte KindSlot = 3;
    private const byte KindFilled = 4;
    private const ulong OriginSalt = 0x4F524947494EUL;

    private readonly IDenoiser _denoiser;
    private readonly SpecialTokenIds _ids;
    private readonly SamplerOptions _options;
    private readonly DiffusionCanvas _canvas;
    private readonly int _batch;
    private readonly int _length;
    private readonly int _vocab;
    private readonly bool _cfg;
    private readonly long[] _tokens;
    private readonly long[] _attention;
    private readonly byte[] _kind;
    private readonly int[] _slot;
    private readonly bool[] _committed;
    private readonly double[] _commitProbability;
    private readonly RowState[] _rows;
    private readonly ILogitProcessor?[][] _slotAllowed;
    private readonly GrammarGate? _grammar;
    private readonly Xoshiro256StarStar _rng;
    private readonly ConcurrentBag<PositionEvaluator> _evaluators = [];
    private readonly RemaskingStrategy _remasking;

    // Per-step candidate buffers (flat over the rows), reused across steps.
    private readonly int[] _candPos;
    private readonly int[] _candGroup;
    private readonly int[] _candToken;
    private readonly double[] _candScore;
    private readonly double[] _rankKey;
    private readonly double[] _candProb;
    private readonly int[] _order;
    private readonly int[] _planned;
    private readonly bool[] _chosen;
    private readonly double[] _remaskWeights;

    // Key/value cache (Fast-dLLM prefix/dual): the window of positions run against the cache, reused buffers.
    private readonly CacheMode _cacheMode;
    private readonly ICachingDenoiser? _caching;
    private readonly int _shift;
    private readonly long[] _runTokens = [];
    private readonly long[] _runPositions = [];
    private readonly long[] _runMask = [];
    private KvCache? _kv;

    // A device-resident cache cannot be trimmed on the host: it is kept whole and the window is masked out instead.
    private bool _kvWhole;
    private int _windowStart = -1;
    private int _windowEnd = -1;
    private int _logitsOffset;
    private int[]? _logitsPositions;
    private int _expectedLength;

    private int _step;
    private int _nfe;

    // Reward guidance: the exploring candidates' evaluators (another temperature) and the block rollout being drawn.
    private readonly SamplerOptions? _explore;
    private readonly ConcurrentBag<PositionEvaluator> _exploreEvaluators = [];

    public SamplingRun(IDenoiser denoiser, SpecialTokenIds ids, bool logitsShifted, DiffusionCanvas canvas, SamplerOptions options)
    {
        _denoiser = denoiser;
        _ids = ids;
        _options = options;
        _canvas = canvas;
        _batch = canvas.BatchSize;
        _length = canvas.SequenceLength;
        _vocab = denoiser.VocabularySize;
        _cfg = options.CfgScale > 0;
        _remasking = options.Remasking?.Strategy ?? RemaskingStrategy.None;

        if (_length > denoiser.MaxSequenceLength)
        {
            throw new ArgumentException($"The canvas is {_length} positions long but the denoiser accepts at most {denoiser.MaxSequenceLength}: shorten the prompt or the answer.", nameof(canvas));
        }

        int rowsInBatch = _cfg ? 2 * _batch : _batch;
        _cacheMode = options.CacheMode;
        _shift = logitsShifted ? 1 : 0;
        if (_cacheMode != CacheMode.None)
        {
            if (options.BlockLength is null)
            {
                throw new ArgumentException($"CacheMode {_cacheMode} needs BlockLength: the cache is refreshed at block boundaries.", nameof(options));
            }

            if (denoiser is not ICachingDenoiser { SupportsCache: true } caching)
            {
                throw new ArgumentException($"CacheMode {_cacheMode} needs a denoiser that implements ICachingDenoiser with SupportsCache (e.g. OnnxDenoiser over a package with has_cache = true); {denoiser.GetType().Name} does not. Set CacheMode = CacheMode.None.", nameof(options));
            }

            _caching = caching;
            _runTokens = new long[rowsInBatch * _length];
            _runPositions = new long[rowsInBatch * _length];
            // A whole (device-resident) cache is masked over all its positions plus the run's: up to twice the canvas.
            _runMask = new long[rowsInBatch * 2 * _length];
        }

        _tokens = new long[rowsInBatch * _length];
        _attention = canvas.HasPadding ? new long[rowsInBatch * _length] : [];
        int n = _batch * _length;
        _kind = new byte[n];
        _slot = new int[n];
        _committed = new bool[n];
        _commitProbability = new double[n];
        _rows = new RowState[_batch];
        _slotAllowed = new ILogitProcessor?[_batch][];
        _candPos = new int[n];
        _candGroup = new int[n];
        _candToken = new int[n];
        _candScore = new double[n];
        _rankKey = new double[n];
        _candProb = new double[n];
        _order = new int[n];
        _chosen = new bool[n];
        _remaskWeights = new double[n];
        int maxGroups = 1;

        for (int r = 0; r < _batch; r++)
        {
            var seq = canvas.Sequences[r];
            int offset = _length - seq.Length;
            var row = new RowState
            {
                Offset = offset,
                Length = seq.Length,
                PromptLength = seq.PromptLength,
                BlockLength = Math.Min(options.BlockLength ?? int.MaxValue, Math.Max(1, seq.AnswerLength)), // a longer block is one block; no overflow
            };
            row.BlockCount = seq.AnswerLength == 0 ? 0 : (int)(((long)seq.AnswerLength + row.BlockLength - 1) / row.BlockLength);
            int groups = options.RankingScope == RankingScope.Slot ? Math.Max(1, seq.Slots.Count) : 1;
            row.GroupInitial = new int[groups];
            row.GroupMasked = new int[groups];
            row.GroupCount = new int[groups];
            maxGroups = Math.Max(maxGroups, groups);
            _rows[r] = row;

            if (logitsShifted && seq.Length > 0 && seq.GetKind(0) == CanvasPositionKind.Slot)
            {
                throw new ArgumentException($"Row {r} starts with a masked position, but the model's logits are shifted (Dream): position i is predicted from position i-1, so position 0 must hold a real token. Start the sequence with a prompt token (e.g. BOS).", nameof(canvas));
            }

            if (options.Selection is SelectionRule.Schedule or SelectionRule.Confident or SelectionRule.Origin && row.BlockCount > options.Steps)
            {
                throw new ArgumentException($"Steps ({options.Steps}) is less than the number of blocks ({row.BlockCount}) of row {r} (answer {seq.AnswerLength} positions, BlockLength {row.BlockLength}): every block needs at least one step. Raise Steps or BlockLength.", nameof(options));
            }

            _slotAllowed[r] = new ILogitProcessor?[seq.Slots.Count];
            foreach (var slot in seq.Slots)
            {
                if (slot.Options.AllowedTokens is { } allowed)
                {
                    if (allowed.Any(t => t >= _vocab))
                    {
                        throw new ArgumentException($"Slot {slot.Index} of row {r} allows a token id at or above the vocabulary size {_vocab}.", nameof(canvas));
                    }

                    _slotAllowed[r][slot.Index] = new AllowedTokensProcessor(allowed);
                }
            }

            for (int i = 0; i < _length; i++)
            {
                int flat = (r * _length) + i;
                if (i < offset)
                {
                    _kind[flat] = KindPad;
                    _slot[flat] = -1;
                    _tokens[flat] = ids.Pad;
                    continue;
                }

                int p = i - offset;
                _slot[flat] = seq.GetSlotIndex(p);
                switch (seq.GetKind(p))
                {
                    case CanvasPositionKind.Slot:
                        _kind[flat] = KindSlot;
                        _tokens[flat] = ids.Mask;
                        row.MasksLeft++;
                        break;
                    default:
                        int t = seq.GetToken(p);
                        if (t == ids.Mask)
                        {
                            throw new ArgumentException($"Row {r} holds the mask id at fixed position {p}: mark positions to decode with a template slot (CanvasTemplate.AddSlot) instead.", nameof(canvas));
                        }

                        if (t >= _vocab)
                        {
                            throw new ArgumentException($"Row {r} position {p} holds token {t}, at or above the vocabulary size {_vocab}.", nameof(canvas));
                        }

                        _kind[flat] = seq.GetKind(p) == CanvasPositionKind.Prompt ? KindPrompt : KindFixed;
                        _tokens[flat] = t;
                        break;
                }
            }

            if (_attention.Length > 0)
            {
                for (int i = 0; i < _length; i++)
                {
                    _attention[(r * _length) + i] = i < offset ? 0 : 1;
                    if (_cfg)
                    {
                        _attention[((_batch + r) * _length) + i] = i < offset ? 0 : 1;
                    }
                }
            }

            row.Done = row.MasksLeft == 0;
        }

        _planned = new int[_batch * maxGroups];
        _rng = new Xoshiro256StarStar(options.Seed);
        _grammar = GrammarGate.Create(canvas, _vocab, ids, _slotAllowed);
        _explore = options.RewardGuidance?.ExplorationTemperature is double explore && explore != options.Temperature ? options.WithTemperature(explore) : null;
    }

    /// <summary>The noise stream of a block rollout (0: the run's own); added to the candidate index of every draw.</summary>
    internal int NoiseStream { get; set; }

    /// <summary>The run's state, for <see cref="BlockRollouts"/> to save and restore rows.</summary>
    internal RolloutAccess Access => new(_tokens, _kind, _committed, _commitProbability, _rows, _length, _ids.Mask, KindFilled, s => _step = s);

    public int Steps => _step;

    public int Nfe => _nfe;

    /// <summary>Runs one step that calls the denoiser; null when every row is finished.</summary>
    public async ValueTask<SamplingStepEvent?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (AllDone())
            {
                ReleaseCache();
                return null;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                Cancel();
                ReleaseCache();
                return null;
            }

            bool needForward = false;
            for (int r = 0; r < _batch; r++)
            {
                var row = _rows[r];
                if (row.Done)
                {
                    continue;
                }

                EnsureBlock(r);
                if (row.Done)
                {
                    continue;
                }

                if (PlanRow(r))
                {
                    needForward = true;
                }
            }

            if (AllDone())
            {
                ReleaseCache();
                return null;
            }

            if (!needForward)
            {
                // Nothing to commit or remask in this step for any row (more steps than masks): skip the pass.
                foreach (var row in _rows)
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
                output = await ForwardAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Cancel();
                ReleaseCache();
                return null;
            }

            _nfe++;
            var committed = new List<CommittedToken>();
            var remasked = new List<RemaskedToken>();
            var filled = new List<CommittedToken>();
            using (output)
            {
                int expectedRows = _cfg ? 2 * _batch : _batch;
                if (output.BatchSize != expectedRows || output.SequenceLength != _expectedLength || output.VocabularySize != _vocab)
                {
                    throw new InvalidOperationException($"The denoiser returned logits [{output.BatchSize}, {output.SequenceLength}, {output.VocabularySize}] for input [{expectedRows}, {_expectedLength}] and vocabulary {_vocab}.");
                }

                LogitsGuard.ThrowIfNonFinite(output, _kind, _batch, _length, _logitsOffset, _denoiser, _step + 1);

                try
                {
                    for (int r = 0; r < _batch; r++)
                    {
                        if (!_rows[r].Done)
                        {
                            await StepRowAsync(r, output, committed, remasked, filled, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // A reward scorer observed the cancellation: the rows already stepped keep their commits.
                    _step++;
                    Cancel();
                    ReleaseCache();
                    return null;
                }
            }

            var perRow = new int[_batch];
            int left = 0;
            for (int r = 0; r < _batch; r++)
            {
                perRow[r] = _rows[r].MasksLeft;
                left += perRow[r];
            }

            var evt = new SamplingStepEvent(_step, _nfe, left, perRow, committed, remasked, filled, null);
            _step++;
            return evt;
        }
    }

    /// <summary>Builds the result once the loop ended.</summary>
    public SamplingResult BuildResult()
    {
        bool cancelled = _rows.Any(r => r.Cancelled);
        var sequences = new SequenceResult[_batch];
        bool anyEos = false;
        for (int r = 0; r < _batch; r++)
        {
            var row = _rows[r];
            var seq = _canvas.Sequences[r];
            int baseFlat = (r * _length) + row.Offset;
            var tokens = new int[row.Length];
            bool hasEnd = false;
            for (int p = 0; p < row.Length; p++)
            {
                tokens[p] = (int)_tokens[baseFlat + p];
                byte kind = _kind[baseFlat + p];
                if ((kind == KindSlot || kind == KindFilled) && _ids.IsEnd(tokens[p]))
                {
                    hasEnd = true;
                }
            }

            var slots = new SlotResult[seq.Slots.Count];
            var slotCut = new int[seq.Slots.Count];
            foreach (var slot in seq.Slots)
            {
                int n = slot.Length;
                if (slot.Options.VariableLength)
                {
                    for (int i = 0; i < slot.Length; i++)
                    {
                        if (_ids.IsEndOrPad(tokens[slot.Start + i]))
                        {
                            n = i;
                            break;
                        }
                    }
                }

                slotCut[slot.Index] = n;
                slots[slot.Index] = new SlotResult(slot.Index, slot.Options.Name, slot.Start, slot.Length, tokens.AsSpan(slot.Start, n).ToArray());
            }

            var answer = new List<int>(row.Length - row.PromptLength);
            for (int p = row.PromptLength; p < row.Length; p++)
            {
                int s = seq.GetSlotIndex(p);
                if (s >= 0 && p - seq.Slots[s].Start >= slotCut[s])
                {
                    continue;
                }

                if (_options.TruncateAtEos && _ids.IsEnd(tokens[p]))
                {
                    break;
                }

                answer.Add(tokens[p]);
            }

            var reason = row.Cancelled ? FinishReason.Cancelled : hasEnd ? FinishReason.Eos : FinishReason.Completed;
            anyEos |= reason == FinishReason.Eos;
            sequences[r] = new SequenceResult(r, row.PromptLength, tokens, answer, slots, reason);
        }

        var overall = cancelled ? FinishReason.Cancelled : anyEos ? FinishReason.Eos : FinishReason.Completed;
        return new SamplingResult(sequences, _nfe, _step, overall);
    }

    private void Cancel()
    {
        foreach (var row in _rows)
        {
            if (!row.Done)
            {
                row.Done = true;
                row.Cancelled = true;
            }
        }
    }

    private int Group(int flat) => _options.RankingScope == RankingScope.Slot ? Math.Max(0, _slot[flat]) : 0;

    private bool IsMasked(int flat) => _kind[flat] == KindSlot && _tokens[flat] == _ids.Mask;

    /// <summary>Moves the row to the first block that still holds a mask; marks it done when none does.</summary>
    private void EnsureBlock(int r)
    {
        var row = _rows[r];
        int baseFlat = (r * _length) + row.Offset;
        if (row.Block >= 0 && CountMasks(baseFlat, row.BlockStart, row.BlockEnd) > 0)
        {
            return;
        }

        // With remasking, a block keeps its remaining steps even when no mask is left: they remask and recommit
        // (test-time scaling).
        if (row.Block >= 0 && _remasking != RemaskingStrategy.None && row.StepInBlock < row.StepsInBlock && HasRemaskable(r))
        {
            return;
        }

        while (true)
        {
            row.Block++;
            if (row.Block >= row.BlockCount)
            {
                row.Done = true;
                return;
            }

            row.BlockStart = row.PromptLength + (row.Block * row.BlockLength);
            row.BlockEnd = Math.Min(row.BlockStart + row.BlockLength, row.Length);
            if (CountMasks(baseFlat, row.BlockStart, row.BlockEnd) == 0)
            {
                continue;
            }

            row.StepInBlock = 0;
            row.StepsInBlock = Math.Max(1, (_options.Steps / row.BlockCount) + (row.Block < _options.Steps % row.BlockCount ? 1 : 0));
            Array.Clear(row.GroupInitial);
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                if (IsMasked(flat))
                {
                    row.GroupInitial[Group(flat)]++;
                }
            }

            return;
        }
    }

    private int CountMasks(int baseFlat, int start, int end)
    {
        int n = 0;
        for (int p = start; p < end; p++)
        {
            if (IsMasked(baseFlat + p))
            {
                n++;
            }
        }

        return n;
    }

    private bool IsLastStep(RowState row) => row.StepInBlock >= row.StepsInBlock - 1;

    /// <summary>Counts the row's eligible masks per group and plans the schedule counts; true when a forward pass is needed.</summary>
    private bool PlanRow(int r)
    {
        var row = _rows[r];
        int baseFlat = (r * _length) + row.Offset;
        Array.Clear(row.GroupMasked);
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            int flat = baseFlat + p;
            if (IsMasked(flat))
            {
                row.GroupMasked[Group(flat)]++;
            }
        }

        int groups = row.GroupMasked.Length;
        bool any = false;
        for (int g = 0; g < groups; g++)
        {
            int k = row.GroupMasked[g] == 0 ? 0 : PlannedCount(row, g);
            _planned[PlannedIndex(r, g)] = k;
            any |= k > 0;
        }

        if (_options.Selection is not SelectionRule.Schedule)
        {
            return true;
        }

        return any || (Sigma(row) > 0 && HasRemaskable(r));
    }

    private int PlannedIndex(int r, int g) => (r * (_planned.Length / _batch)) + g;

    private int PlannedCount(RowState row, int g)
    {
        int maskedNow = row.GroupMasked[g];
        int initial = Math.Max(row.GroupInitial[g], 1);
        if (IsLastStep(row))
        {
            return maskedNow;
        }

        if (_remasking == RemaskingStrategy.Loop)
        {
            double remainingFraction = 1.0 - LoopAlpha(1.0 - ((row.StepInBlock + 1) / (double)row.StepsInBlock));
            int plannedRemaining = (int)Math.Floor((row.GroupInitial[g] * remainingFraction) + 1e-9);
            return Math.Clamp(maskedNow - plannedRemaining, 0, maskedNow);
        }

        return Math.Clamp(_options.Schedule.GetCommitCount(row.StepInBlock, row.StepsInBlock, initial, maskedNow), 0, maskedNow);
    }

    private double LoopAlpha(double t)
    {
        var o = _options.Remasking!;
        if (t > o.TOn)
        {
            return (1 - t) * o.AlphaOn / (1 - o.TOn);
        }

        if (t > o.TOff)
        {
            return o.AlphaOn;
        }

        return o.TOff <= 0 ? 1.0 : 1 - (t * (1 - o.AlphaOn) / o.TOff);
    }

    /// <summary>The block-level remasking probability σ (σ_max for Conf) of the row's current step.</summary>
    private double Sigma(RowState row)
    {
        if (_remasking == RemaskingStrategy.None || IsLastStep(row))
        {
            return 0;
        }

        var o = _options.Remasking!;
        if (_remasking == RemaskingStrategy.Loop)
        {
            double t = 1.0 - (row.StepInBlock / (double)row.StepsInBlock);
            return t <= o.TOn && t > o.TOff ? o.Eta : 0;
        }

        double alphaT = 1.0 - _options.Schedule.MaskedFractionAfter(row.StepInBlock - 1, row.StepsInBlock);
        double alphaS = 1.0 - _options.Schedule.MaskedFractionAfter(row.StepInBlock, row.StepsInBlock);
        return _remasking switch
        {
            RemaskingStrategy.Cap => alphaT > 0 ? Math.Min(o.Eta, (1 - alphaS) / alphaT) : o.Eta,
            RemaskingStrategy.Rescale => o.Eta * (alphaT > 0 ? Math.Min(1, (1 - alphaS) / alphaT) : 1),
            RemaskingStrategy.Conf => alphaT > 0 ? Math.Min(1, (1 - alphaS) / alphaT) : 1,
            _ => 0,
        };
    }

    private bool HasRemaskable(int r)
    {
        var row = _rows[r];
        int baseFlat = (r * _length) + row.Offset;
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            if (_committed[baseFlat + p])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Releases the KV cache (on completion, failure, cancellation or an abandoned stream).</summary>
    public void Dispose() => ReleaseCache();

    private void ReleaseCache()
    {
        _kv?.Dispose();
        _kv = null;
        _windowStart = -1;
        _windowEnd = -1;
    }

    private bool AllDone()
    {
        foreach (var row in _rows)
        {
            if (!row.Done)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs the denoiser for this step: the whole canvas, or (with a cache) only the current window.</summary>
    private async ValueTask<DenoiserOutput> ForwardAsync(CancellationToken cancellationToken)
    {
        WriteUnconditionalRows();
        if (_caching is null)
        {
            _logitsOffset = 0;
            _expectedLength = _length;
            return await _denoiser.DenoiseAsync(BuildInput(withLogitsPositions: true), cancellationToken).ConfigureAwait(false);
        }

        // The window: the union of the unfinished rows' current blocks, in padded coordinates.
        int start = _length, end = 0;
        for (int r = 0; r < _batch; r++)
        {
            var row = _rows[r];
            if (!row.Done)
            {
                start = Math.Min(start, row.Offset + row.BlockStart);
                end = Math.Max(end, row.Offset + row.BlockEnd);
            }
        }

        // Shifted logits (Dream): position i is predicted at i-1, so the run starts one position earlier.
        start = Math.Max(0, start - _shift);
        int rows = _cfg ? 2 * _batch : _batch;
        if (_kv is null || start != _windowStart || end != _windowEnd)
        {
            // Block boundary: one full pass, keeping the keys and values outside the window.
            FillRun(rows, 0, _length, 0, 0, 0, 0);
            var refresh = await _caching.DenoiseWithCacheAsync(
                new CachedDenoiserInput(new ReadOnlyMemory<long>(_runTokens, 0, rows * _length), new ReadOnlyMemory<long>(_runPositions, 0, rows * _length), new ReadOnlyMemory<long>(_runMask, 0, rows * _length), rows, _length, null, true),
                cancellationToken).ConfigureAwait(false);
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
                    _kv = _cacheMode == CacheMode.Prefix ? present.Slice(start) : present.Without(start, end);
                }
            }

            _windowStart = start;
            _windowEnd = end;
            _logitsOffset = 0;
            _expectedLength = _length;
            return refresh.Logits;
        }

        int runEnd = _cacheMode == CacheMode.Prefix ? _length : end;
        int n = runEnd - start;
        int pastLength = _kv.Length;
        if (_kvWhole)
        {
            FillRun(rows, start, runEnd, 0, _length, 0, 0);
            int maskWidth = _length + n;
            for (int rr = 0; rr < rows; rr++)
            {
                Array.Clear(_runMask, (rr * maskWidth) + start, n); // the positions this run supplies afresh
            }
        }
        else if (_cacheMode == CacheMode.Prefix)
        {
            FillRun(rows, start, runEnd, 0, start, 0, 0);
        }
        else
        {
            FillRun(rows, start, runEnd, 0, start, end, _length);
        }

        var run = await _caching.DenoiseWithCacheAsync(
            new CachedDenoiserInput(new ReadOnlyMemory<long>(_runTokens, 0, rows * n), new ReadOnlyMemory<long>(_runPositions, 0, rows * n), new ReadOnlyMemory<long>(_runMask, 0, rows * (pastLength + n)), rows, n, pastLength == 0 ? null : _kv, false),
            cancellationToken).ConfigureAwait(false);
        _logitsOffset = start;
        _expectedLength = n;
        return run.Logits;
    }

    /// <summary>
    /// Fills the run buffers: tokens and positions of padded positions [start, end) per row, and the attention mask
    /// over the past ([pastA, pastAEnd) then [pastB, pastBEnd)) followed by the run.
    /// </summary>
    private void FillRun(int rows, int start, int end, int pastA, int pastAEnd, int pastB, int pastBEnd)
    {
        int n = end - start;
        int maskWidth = (pastAEnd - pastA) + (pastBEnd - pastB) + n;
        for (int rr = 0; rr < rows; rr++)
        {
            int offset = _rows[rr % _batch].Offset;
            int src = rr * _length;
            Array.Copy(_tokens, src + start, _runTokens, rr * n, n);
            int m = rr * maskWidth;
            for (int i = pastA; i < pastAEnd; i++)
            {
                _runMask[m++] = i < offset ? 0 : 1;
            }

            for (int i = pastB; i < pastBEnd; i++)
            {
                _runMask[m++] = i < offset ? 0 : 1;
            }

            for (int i = start; i < end; i++)
            {
                _runPositions[(rr * n) + i - start] = i < offset ? 0 : i - offset;
                _runMask[m++] = i < offset ? 0 : 1;
            }
        }
    }

    /// <summary>CFG: copies the conditional rows to the unconditional ones with the prompt masked (both forward paths).</summary>
    private void WriteUnconditionalRows()
    {
        if (!_cfg)
        {
            return;
        }

        int n = _batch * _length;
        Array.Copy(_tokens, 0, _tokens, n, n);
        for (int i = 0; i < n; i++)
        {
            if (_kind[i] == KindPrompt)
            {
                _tokens[n + i] = _ids.Mask;
            }
        }
    }

    private DenoiserInput BuildInput(bool withLogitsPositions = false)
    {
        int rows = _cfg ? 2 * _batch : _batch;
        int perRow = withLogitsPositions ? FillLogitsPositions() : _length;
        if (perRow >= _length)
        {
            return new DenoiserInput(_tokens, rows, _length, _attention);
        }

        // CFG's unconditional rows need the same positions as their conditional rows.
        if (_cfg)
        {
            Array.Copy(_logitsPositions!, 0, _logitsPositions!, _batch * perRow, _batch * perRow);
        }

        return new DenoiserInput(_tokens, rows, _length, _attention, new ReadOnlyMemory<int>(_logitsPositions, 0, rows * perRow));
    }

    /// <summary>
    /// Lists, per row, the padded positions this step will read logits for (the masked positions of the row's current
    /// block: the candidates of <see cref="StepRowAsync"/>), padded to one count by repeating a row's first entry.
    /// </summary>
    /// <returns>The positions per row.</returns>
    private int FillLogitsPositions()
    {
        int rows = _cfg ? 2 * _batch : _batch;
        _logitsPositions ??= new int[rows * _length];
        int perRow = 1;
        for (int r = 0; r < _batch; r++)
        {
            var row = _rows[r];
            if (row.Done)
            {
                continue;
            }

            int count = 0;
            int baseFlat = (r * _length) + row.Offset;
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                count += IsMasked(baseFlat + p) ? 1 : 0;
            }

            perRow = Math.Max(perRow, count);
        }

        if (perRow >= _length)
        {
            return _length;
        }

        for (int r = 0; r < _batch; r++)
        {
            var row = _rows[r];
            int baseFlat = (r * _length) + row.Offset;
            int n = 0;
            if (!row.Done)
            {
                for (int p = row.BlockStart; p < row.BlockEnd; p++)
                {
                    if (IsMasked(baseFlat + p))
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

    private async ValueTask StepRowAsync(int r, DenoiserOutput output, List<CommittedToken> committed, List<RemaskedToken> remasked, List<CommittedToken> filled, CancellationToken cancellationToken)
    {
        var row = _rows[r];
        var seq = _canvas.Sequences[r];
        int baseFlat = (r * _length) + row.Offset;
        var rowTokens = new ReadOnlyMemory<long>(_tokens, baseFlat, row.Length);

        // A schedule step with nothing to commit or remask for this row (another row needed the pass).
        if (_options.Selection == SelectionRule.Schedule && Sigma(row) == 0)
        {
            bool any = false;
            for (int g = 0; g < row.GroupMasked.Length; g++)
            {
                any |= _planned[PlannedIndex(r, g)] > 0;
            }

            if (!any)
            {
                row.StepInBlock++;
                return;
            }
        }

        // 1. Gather the eligible masked positions of the current block.
        _grammar?.Refresh(r, rowTokens.Span);
        int count = 0;
        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            int flat = baseFlat + p;
            if (IsMasked(flat))
            {
                _candPos[count] = p;
                _candGroup[count] = Group(flat);
                count++;
            }
        }

        // 2. Remask (ReMDM) among tokens committed in earlier steps; as ReMDM raises the unmask probability of the same
        // step, each remasked token adds one commit to its group's count in this step.
        double sigma = Sigma(row);
        if (sigma > 0)
        {
            int before = remasked.Count;
            Remask(r, sigma, remasked);
            for (int k = before; k < remasked.Count; k++)
            {
                _planned[PlannedIndex(r, Group(baseFlat + remasked[k].Position))]++;
            }
        }

        // 3. Score the candidates and select (best of N candidates with reward guidance).
        var reward = _options.RewardGuidance;
        int candidates = reward is { Mode: RewardMode.Step } ? reward.Candidates : 1;
        int[]? bestTokens = null;
        double[]? bestScores = null;
        double[]? bestProbs = null;
        bool[]? bestChosen = null;
        double bestReward = double.NegativeInfinity;
        for (int c = 0; c < candidates; c++)
        {
            EvaluateAll(r, count, c, output);
            Select(r, count, c + NoiseStream);

            if (reward is not { Mode: RewardMode.Step })
            {
                break;
            }

            var commits = new List<CommittedToken>();
            var candidateTokens = rowTokens.ToArray();
            for (int i = 0; i < count; i++)
            {
                if (_chosen[i])
                {
                    candidateTokens[_candPos[i]] = _candToken[i];
                    commits.Add(new CommittedToken(r, _candPos[i], _candToken[i], _candScore[i], _candProb[i]));
                }
            }

            double value = await reward.Scorer.ScoreAsync(new RewardCandidate(r, _step, c, candidateTokens, commits, row.PromptLength), cancellationToken).ConfigureAwait(false);
            if (c == 0 || value > bestReward)
            {
                bestReward = value;
                bestTokens = _candToken.AsSpan(0, count).ToArray();
                bestScores = _candScore.AsSpan(0, count).ToArray();
                bestProbs = _candProb.AsSpan(0, count).ToArray();
                bestChosen = _chosen.AsSpan(0, count).ToArray();
            }
        }

        if (bestTokens is not null)
        {
            bestTokens.CopyTo(_candToken, 0);
            bestScores!.CopyTo(_candScore, 0);
            bestProbs!.CopyTo(_candProb, 0);
            bestChosen!.CopyTo(_chosen, 0);
        }

        // 4. Commit (grammar slots: in rank order, each kept only while the slot stays feasible).
        _grammar?.FilterCommits(r, rowTokens.Span, _candPos.AsSpan(0, count), _candToken.AsSpan(0, count), _candScore.AsSpan(0, count), _chosen.AsSpan(0, count));
        for (int i = 0; i < count; i++)
        {
            if (!_chosen[i])
            {
                continue;
            }

            int flat = baseFlat + _candPos[i];
            _tokens[flat] = _candToken[i];
            _committed[flat] = true;
            _commitProbability[flat] = _candProb[i];
            row.MasksLeft--;
            committed.Add(new CommittedToken(r, _candPos[i], _candToken[i], _candScore[i], _candProb[i]));
        }

        // 5. Early stop at EOS (dInfer): once the block holds no mask, an EOS/EoT in it fills its slot's masks beyond the
        // block. The next step starts a new block, so a cache window is refreshed over the filled tokens.
        if (_options.StopAtEos && CountMasks(baseFlat, row.BlockStart, row.BlockEnd) == 0)
        {
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                if (_kind[flat] != KindSlot || !_committed[flat] || !_ids.IsEnd(_tokens[flat]))
                {
                    continue;
                }

                int s = _slot[flat];
                var slot = seq.Slots[s];
                for (int q = Math.Max(row.BlockEnd, slot.Start); q < slot.Start + slot.Length; q++)
                {
                    int f = baseFlat + q;
                    if (IsMasked(f))
                    {
                        _tokens[f] = _ids.Eos;
                        _kind[f] = KindFilled;
                        row.MasksLeft--;
                        filled.Add(new CommittedToken(r, q, _ids.Eos, 0, 0));
                    }
                }
            }
        }

        row.StepInBlock++;
        if (row.MasksLeft == 0 && _remasking == RemaskingStrategy.None)
        {
            row.Done = true;
        }
    }

    private PositionEvaluator RentEvaluator() =>
        _evaluators.TryTake(out var evaluator) ? evaluator : new PositionEvaluator(_vocab, _options, _ids);

    private PositionEvaluator RentExploring() =>
        _exploreEvaluators.TryTake(out var evaluator) ? evaluator : new PositionEvaluator(_vocab, _explore!, _ids);

    /// <summary>Scores every eligible position of row <paramref name="r"/> (in parallel when the work is large enough).</summary>
    private void EvaluateAll(int r, int count, int candidate, DenoiserOutput output)
    {
        candidate += NoiseStream;
        if (candidate > 0 && _explore is not null)
        {
            ExploreAll(r, count, candidate, output);
            return;
        }

        int degree = _options.MaxDegreeOfParallelism;
        if (degree <= 1 || count < 2 || (long)count * _vocab < 65536)
        {
            var evaluator = RentEvaluator();
            for (int i = 0; i < count; i++)
            {
                Evaluate(evaluator, r, i, candidate, output);
            }

            _evaluators.Add(evaluator);
            return;
        }

        try
        {
            Parallel.For(
                0,
                count,
                new ParallelOptions { MaxDegreeOfParallelism = degree },
                RentEvaluator,
                (i, _, evaluator) =>
                {
                    Evaluate(evaluator, r, i, candidate, output);
                    return evaluator;
                },
                _evaluators.Add);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>An exploring candidate of reward guidance: the same scoring with the exploration temperature.</summary>
    private void ExploreAll(int r, int count, int candidate, DenoiserOutput output)
    {
        var evaluator = RentExploring();
        for (int i = 0; i < count; i++)
        {
            Evaluate(evaluator, r, i, candidate, output);
        }

        _exploreEvaluators.Add(evaluator);
    }

    private void Evaluate(PositionEvaluator evaluator, int r, int i, int candidate, DenoiserOutput output)
    {
        var row = _rows[r];
        var seq = _canvas.Sequences[r];
        int p = _candPos[i];
        int flat = (r * _length) + row.Offset + p;
        int slotIndex = _slot[flat];
        var slot = slotIndex >= 0 ? seq.Slots[slotIndex] : null;
        int at = row.Offset + p - _logitsOffset;
        var cond = output.GetLogits(r, at);
        var uncond = _cfg ? output.GetLogits(_batch + r, at) : default;
        var context = new LogitProcessorContext(r, p, slotIndex, _step, new ReadOnlyMemory<long>(_tokens, (r * _length) + row.Offset, row.Length));
        if (!evaluator.Load(cond, uncond, _options.CfgScale, context, slotIndex >= 0 ? _slotAllowed[r][slotIndex] : null, slot?.Options.LogitProcessor, slot is { Options.VariableLength: false }))
        {
            throw new InvalidOperationException($"Every token is forbidden at row {r}, position {p}: the logit processors, slot constraints and EOS rules leave nothing to choose.");
        }

        evaluator.Random.Reseed(Xoshiro256StarStar.Derive(_options.Seed, _step, r, p, candidate));
        var pick = evaluator.Choose(evaluator.Random);
        _candToken[i] = pick.Token;
        _candScore[i] = pick.Score;
        _candProb[i] = pick.Probability;
    }

    private void Remask(int r, double sigma, List<RemaskedToken> remasked)
    {
        var row = _rows[r];
        int baseFlat = (r * _length) + row.Offset;
        if (_remasking == RemaskingStrategy.Conf)
        {
            // σ_i = σ_max · softmax(-p)_i over the remaskable tokens.
            double max = double.NegativeInfinity;
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                if (_committed[baseFlat + p])
                {
                    max = Math.Max(max, -_commitProbability[baseFlat + p]);
                }
            }

            double z = 0;
            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                _remaskWeights[flat] = _committed[flat] ? Math.Exp(-_commitProbability[flat] - max) : 0;
                z += _remaskWeights[flat];
            }

            for (int p = row.BlockStart; p < row.BlockEnd; p++)
            {
                int flat = baseFlat + p;
                if (_committed[flat] && _rng.NextOpenUnit() < sigma * _remaskWeights[flat] / z)
                {
                    RemaskAt(r, p, remasked);
                }
            }

            return;
        }

        for (int p = row.BlockStart; p < row.BlockEnd; p++)
        {
            if (_committed[baseFlat + p] && _rng.NextOpenUnit() < sigma)
            {
                RemaskAt(r, p, remasked);
            }
        }
    }

    private void RemaskAt(int r, int p, List<RemaskedToken> remasked)
    {
        var row = _rows[r];
        int flat = (r * _length) + row.Offset + p;
        remasked.Add(new RemaskedToken(r, p, (int)_tokens[flat]));
        _tokens[flat] = _ids.Mask;
        _committed[flat] = false;
        row.MasksLeft++;
    }

    /// <summary>Ranks the row's candidates per group and marks the chosen prefix in <see cref="_chosen"/>.</summary>
    private void Select(int r, int count, int candidate)
    {
        var row = _rows[r];
        for (int i = 0; i < count; i++)
        {
            _order[i] = i;
            _chosen[i] = false;
        }

        if (_options.Selection == SelectionRule.Origin)
        {
            SelectOrigin(r, count, candidate);
            return;
        }

        // Dream's alg_temp: rank by score/τ + Gumbel noise, i.e. draw the positions without replacement with
        // probabilities softmax(score/τ) (the Gumbel-top-k trick).
        double tau = _options.Selection == SelectionRule.Schedule ? _options.PositionTemperature : 0;
        var rng = tau > 0 ? new Xoshiro256StarStar(0) : null;
        for (int i = 0; i < count; i++)
        {
            double key = _candScore[i];
            if (rng is not null && !double.IsNegativeInfinity(key))
            {
                rng.Reseed(Xoshiro256StarStar.Derive(_options.Seed ^ 0x5EEDA17E3Dul, _step, r, _candPos[i], 0));
                key = (key / tau) - Math.Log(-Math.Log(rng.NextOpenUnit()));
            }

            _rankKey[i] = key;
        }

        var order = _order.AsSpan(0, count);
        order.Sort(new CandidateComparer(_candGroup, _rankKey, _candPos));
        int start = 0;
        while (start < count)
        {
            int g = _candGroup[order[start]];
            int end = start;
            while (end < count && _candGroup[order[end]] == g)
            {
                end++;
            }

            int n = end - start;
            int take = _options.Selection switch
            {
                SelectionRule.Schedule => _planned[PlannedIndex(r, g)],
                SelectionRule.Threshold => TakeThreshold(order[start..end]),
                SelectionRule.Factor => TakeFactor(order[start..end]),
                _ => IsLastStep(row) ? n : TakeConfident(order[start..end], _planned[PlannedIndex(r, g)]),
            };

            take = Math.Clamp(take, 0, n);
            for (int i = 0; i < take; i++)
            {
                _chosen[order[start + i]] = true;
            }

            start = end;
        }
    }

    /// <summary>Dream's <c>origin</c>: each candidate independently with probability <c>1 - s/t</c> (all at the last step).</summary>
    private void SelectOrigin(int r, int count, int candidate)
    {
        var row = _rows[r];
        double t = _options.Schedule.MaskedFractionAfter(row.StepInBlock - 1, row.StepsInBlock);
        double s = _options.Schedule.MaskedFractionAfter(row.StepInBlock, row.StepsInBlock);
        double p = IsLastStep(row) || t <= 0 ? 1 : 1 - (s / t);
        var rng = new Xoshiro256StarStar(0);
        for (int i = 0; i < count; i++)
        {
            rng.Reseed(Xoshiro256StarStar.Derive(_options.Seed ^ OriginSalt, _step, r, _candPos[i], candidate));
            _chosen[i] = rng.NextOpenUnit() < p;
        }
    }

    private int TakeThreshold(ReadOnlySpan<int> sorted)
    {
        int take = 1;
        while (take < sorted.Length && _candScore[sorted[take]] >= _options.Threshold)
        {
            take++;
        }

        return take;
    }

    private int TakeFactor(ReadOnlySpan<int> sorted)
    {
        int take = 1;
        while (take < sorted.Length)
        {
            int n = take + 1; // 1-based rank of the candidate under test
            if (_candScore[sorted[take]] < 1 - (_options.Factor / (n + 1)))
            {
                break;
            }

            take++;
        }

        // Fast-dLLM / dInfer (get_transfer_index_dynamic): when only the last candidate fails its bound, it is committed too.
        return take == sorted.Length - 1 ? sorted.Length : take;
    }

    private int TakeConfident(ReadOnlySpan<int> sorted, int scheduled)
    {
        int take = 0;
        while (take < sorted.Length && _candScore[sorted[take]] > _options.Threshold)
        {
            take++;
        }

        return take > 0 ? take : Math.Max(1, scheduled);
    }

    private readonly struct CandidateComparer(int[] group, double[] score, int[] position) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            int c = group[a].CompareTo(group[b]);
            if (c != 0)
            {
                return c;
            }

            c = score[b].CompareTo(score[a]);
            return c != 0 ? c : position[a].CompareTo(position[b]);
        }
    }
}
