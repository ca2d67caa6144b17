namespace SkDiffusion.Denoising;

/// <summary><see cref="ICachingDenoiser"/> over <see cref="OnnxDenoiser.RunWithCache"/>.</summary>
public sealed partial class OnnxDenoiser
{
    /// <inheritdoc />
    public bool SupportsCache => _manifest.HasCache;

    /// <inheritdoc />
    public ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        CachedRunResult result = RunWithCache(input.TokenIds.Span, input.BatchSize, input.SequenceLength, input.PositionIds.Span, input.AttentionMask.Span, input.Past, cancellationToken);
        DenoiserOutput logits = result.Logits;
        int b = input.BatchSize, s = input.SequenceLength, v = _manifest.VocabSize;
        if (_manifest.LogitsShifted && s > 1)
        {
            // Dream: raw[i] predicts token i+1, so aligned[i] = raw[i-1]; the run's first position keeps raw[0].
            Span<float> all = logits.Logits.Span;
            for (int r = 0; r < b; r++)
            {
                int rowStart = r * s * v;
                all.Slice(rowStart, (s - 1) * v).CopyTo(all.Slice(rowStart + v, (s - 1) * v));
            }
        }

        KvCache? present = result.Present;
        if (!input.ReturnPresent)
        {
            present.Dispose();
            present = null;
        }

        return ValueTask.FromResult(new CachedDenoiserOutput(logits, present));
    }
}
