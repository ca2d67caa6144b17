namespace SkDiffusion.Denoising;

/// <summary>The result of <see cref="ICachingDenoiser.DenoiseWithCacheAsync"/>.</summary>
/// <param name="logits">Logits <c>[B, S, V]</c> of the positions run; owned (disposed) by this output.</param>
/// <param name="present">Past followed by this run's keys and values, when asked for; the caller owns and disposes it.</param>
internal sealed class CachedDenoiserOutput(DenoiserOutput logits, KvCache? present) : IDisposable
{
    /// <summary>Logits of the positions run, aligned so that position i predicts token i.</summary>
    public DenoiserOutput Logits { get; } = logits ?? throw new ArgumentNullException(nameof(logits));

    /// <summary>The present keys and values (<c>P + S</c> positions); null unless asked for.</summary>
    public KvCache? Present { get; } = present;

    /// <summary>Returns the logits buffer.</summary>
    public void Dispose() => Logits.Dispose();
}
