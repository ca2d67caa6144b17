namespace SkDiffusion.Denoising;

/// <summary><see cref="ICachingDenoiser"/> over <see cref="OnnxDenoiser.RunWithCache"/>.</summary>
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
}
