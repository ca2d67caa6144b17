using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace SkDiffusion.Denoising;

/// <summary>The cached runs: <see cref="ICachingDenoiser"/> over <see cref="OnnxDenoiser.RunWithCache"/>, which feeds past keys and values and returns the present ones.</summary>
public sealed partial class OnnxDenoiser
{
    /// <summary>
    /// Whether the package's graph has key/value cache inputs (<c>has_cache</c>), so that a
    /// <see cref="Sampling.SamplerOptions.CacheMode"/> other than <see cref="Sampling.CacheMode.None"/> can run on it.
    /// </summary>
    public bool SupportsCache => _manifest.HasCache;

    /// <inheritdoc />
    ValueTask<CachedDenoiserOutput> ICachingDenoiser.DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken)
        => DenoiseWithCacheAsync(input, cancellationToken);

    /// <summary>Runs part of a canvas against cached keys and values (see <see cref="ICachingDenoiser"/>).</summary>
    /// <param name="input">Tokens, positions, mask over past and current, and the past.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Logits for the positions run and, when asked for, the present keys and values.</returns>
    internal ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        DenoiserOutput logits;
        KvCache? present;
        _lifetime.EnterRun(_objectName);
        try
        {
            (logits, present) = RunCached(input.TokenIds.Span, input.BatchSize, input.SequenceLength, input.PositionIds.Span, input.AttentionMask.Span, input.Past, input.ReturnPresent, cancellationToken);
        }
        finally
        {
            _lifetime.ExitRun();
        }

        int b = input.BatchSize, s = input.SequenceLength, v = _manifest.VocabSize;
        if (_manifest.LogitsShifted && s > 1)
        {
            // Dream: raw[i] predicts token i+1, so aligned[i] = raw[i-1]. A row with no real token in the past keeps the raw
            // logits up to its first real position (left padding has no predecessor), as the uncached run does; a row with
            // a past keeps raw[0] at the run's first position (its predecessor's logits are not computed).
            Span<float> all = logits.Logits.Span;
            ReadOnlySpan<long> mask = input.AttentionMask.Span;
            int p = input.PastLength;
            for (int r = 0; r < b; r++)
            {
                int rowMask = r * (p + s);
                bool realPast = mask.Slice(rowMask, p).IndexOfAnyExcept(0L) >= 0;
                int first = realPast ? 0 : FirstRealPosition(mask.Slice(rowMask + p, s));

                int rest = s - first - 1;
                if (rest > 0)
                {
                    int rowStart = r * s * v;
                    all.Slice(rowStart + (first * v), rest * v).CopyTo(all.Slice(rowStart + ((first + 1) * v), rest * v));
                }
            }
        }

        return ValueTask.FromResult(new CachedDenoiserOutput(logits, present));
    }

    /// <summary>
    /// Runs the graph once over <paramref name="sequenceLength"/> new positions per row on top of <paramref name="past"/>
    /// (the lower-level API for KV caching). Requires a graph built with <c>has_cache</c>.
    /// </summary>
    /// <param name="tokenIds">Row-major ids of this run, <c>batchSize * sequenceLength</c>.</param>
    /// <param name="batchSize">Rows.</param>
    /// <param name="sequenceLength">New positions per row (<c>S</c>).</param>
    /// <param name="positionIds">Row-major absolute positions of the new tokens, <c>batchSize * sequenceLength</c>.</param>
    /// <param name="attentionMask">Row-major mask over past and current keys, <c>batchSize * (P + S)</c>; 1 real, 0 padding.</param>
    /// <param name="past">The cache from an earlier run, or <see langword="null"/> for none (<c>P = 0</c>). Not disposed here.</param>
    /// <param name="cancellationToken">Terminates the run in flight.</param>
    /// <returns>
    /// The raw logits of this run and a new cache of <c>P + S</c> positions that the caller owns (in device memory when
    /// <see cref="DeviceResidentCaches"/>).
    /// </returns>
    /// <exception cref="NotSupportedException">The package was built without cache inputs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A token id is outside the vocabulary.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal CachedRunResult RunWithCache(
        ReadOnlySpan<long> tokenIds,
        int batchSize,
        int sequenceLength,
        ReadOnlySpan<long> positionIds,
        ReadOnlySpan<long> attentionMask,
        KvCache? past,
        CancellationToken cancellationToken = default)
    {
        _lifetime.EnterRun(_objectName);
        try
        {
            (DenoiserOutput logits, KvCache? present) = RunCached(tokenIds, batchSize, sequenceLength, positionIds, attentionMask, past, returnPresent: true, cancellationToken);
            return new CachedRunResult(logits, present!);
        }
        finally
        {
            _lifetime.ExitRun();
        }
    }

    /// <summary>
    /// The cached run. Without <paramref name="returnPresent"/> only the logits are fetched: the grown keys and values
    /// stay inside ONNX Runtime's arena instead of being written to a freshly allocated cache that the caller would
    /// dispose unread (every step inside a block under prefix and dual caching).
    /// </summary>
    private (DenoiserOutput Logits, KvCache? Present) RunCached(
        ReadOnlySpan<long> tokenIds,
        int batchSize,
        int sequenceLength,
        ReadOnlySpan<long> positionIds,
        ReadOnlySpan<long> attentionMask,
        KvCache? past,
        bool returnPresent,
        CancellationToken cancellationToken)
    {
        if (!_manifest.HasCache)
        {
            throw new NotSupportedException("This package was built without KV cache inputs (has_cache = false); rebuild it with SkDiffusion.ModelBuilder to use RunWithCache.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        int b = batchSize, s = sequenceLength, v = _manifest.VocabSize;
        int p = past?.Length ?? 0;
        TensorElementType kvType = _manifest.KvDType == "float16" ? TensorElementType.Float16 : TensorElementType.Float;
        if (past is not null && (past.BatchSize != b || past.LayerCount != _manifest.NumLayers || past.KvHeads != _manifest.NumKvHeads || past.HeadDim != _manifest.HeadDim || past.ElementType != kvType))
        {
            throw new ArgumentException($"The past cache is [{past.BatchSize}, {past.KvHeads}, {past.Length}, {past.HeadDim}] x {past.LayerCount} layers of {past.ElementType}; this model needs [{b}, {_manifest.NumKvHeads}, P, {_manifest.HeadDim}] x {_manifest.NumLayers} of {kvType}.", nameof(past));
        }

        if ((long)p + s > _manifest.ContextLength)
        {
            throw new ArgumentException($"The past ({p}) and new ({s}) positions total {p + s}, over the model's context_length of {_manifest.ContextLength}.", nameof(sequenceLength));
        }

        if ((long)b * s * v > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"Batch {b} x {s} positions x {v} logits is more than one array can hold; run fewer rows or positions at once.");
        }

        if (tokenIds.Length != b * s || positionIds.Length != b * s)
        {
            throw new ArgumentException($"Expected {b * s} token ids and position ids for batch {b} x {s}; got {tokenIds.Length} and {positionIds.Length}.", nameof(tokenIds));
        }

        if (attentionMask.Length != b * (p + s))
        {
            throw new ArgumentException($"The attention mask covers past and current keys: expected {b * (p + s)} entries for batch {b} x ({p} + {s}), got {attentionMask.Length}.", nameof(attentionMask));
        }

        for (int i = 0; i < tokenIds.Length; i++)
        {
            if ((ulong)tokenIds[i] >= (ulong)v)
            {
                throw new ArgumentOutOfRangeException(nameof(tokenIds), $"Token id {tokenIds[i]} at row {i / s}, position {i % s} is outside the vocabulary [0, {v}).");
            }
        }

        int count = b * s * v;
        float[] buffer = ArrayPool<float>.Shared.Rent(count);
        KvCache? present = null;
        KvCache? empty = null;
        var owned = new List<OrtValue>(4);
        bool success = false;
        try
        {
            // Inside the try: when the second allocation fails (an exhausted arena), the first is released below.
            present = returnPresent
                ? KvCache.Allocate(_manifest.NumLayers, b, _manifest.NumKvHeads, p + s, _manifest.HeadDim, kvType, _deviceAllocator ?? OrtAllocator.DefaultInstance, hostResident: _deviceAllocator is null, _lifetime)
                : null;
            empty = past is null ? KvCache.Allocate(_manifest.NumLayers, b, _manifest.NumKvHeads, 0, _manifest.HeadDim, kvType) : null;
            KvCache source = past ?? empty!;
            long[] shape = [b, s];
            owned.Add(OrtValue.CreateTensorValueFromMemory(tokenIds.ToArray(), shape));
            owned.Add(OrtValue.CreateTensorValueFromMemory(positionIds.ToArray(), shape));
            owned.Add(OrtValue.CreateTensorValueFromMemory(attentionMask.ToArray(), [b, p + s]));
            owned.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(buffer, 0, count), [b, s, v]));
            var inputs = new List<OrtValue>(_inputNames.Length) { owned[0], owned[1], owned[2] };
            var outputs = new List<OrtValue>(_cacheOutputNames.Length) { owned[3] };
            for (int i = 0; i < _manifest.NumLayers; i++)
            {
                inputs.Add(source.GetKey(i));
                inputs.Add(source.GetValue(i));
                if (present is not null)
                {
                    outputs.Add(present.GetKey(i));
                    outputs.Add(present.GetValue(i));
                }
            }

            if (_manifest.LogitsPositions)
            {
                // Raw logits for every position of the run; the caller realigns shifted ones.
                long[] every = new long[b * s];
                for (int i = 0; i < every.Length; i++)
                {
                    every[i] = i % s;
                }

                owned.Add(OrtValue.CreateTensorValueFromMemory(every, [b, s]));
                inputs.Add(owned[^1]);
            }

            RunSession(runOptions => _session.Run(runOptions, _inputNames, inputs, present is null ? LogitsOutput : _cacheOutputNames, outputs), cancellationToken);

            success = true;
            return (new PooledDenoiserOutput(buffer, b, s, v), present);
        }
        finally
        {
            owned.ForEach(o => o.Dispose());
            empty?.Dispose();
            if (!success)
            {
                present?.Dispose();
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }
}
