namespace SkDiffusion.Denoising;

/// <summary>The result of <see cref="OnnxDenoiser.RunWithCache"/>: this run's logits and the grown cache.</summary>
internal sealed class CachedRunResult : IDisposable
{
    internal CachedRunResult(DenoiserOutput logits, KvCache present)
    {
        Logits = logits;
        Present = present;
    }

    /// <summary>
    /// The graph's logits for the <c>S</c> positions of this run, <c>[batch, S, vocab]</c>, exactly as the graph returns
    /// them: for shifted models (Dream, <c>logits_shifted</c>) position i predicts token i + 1.
    /// </summary>
    public DenoiserOutput Logits { get; }

    /// <summary>The past followed by this run's keys and values (<c>P + S</c> positions). The caller owns it and disposes it.</summary>
    public KvCache Present { get; }

    /// <summary>Returns the logits buffer to its pool; <see cref="Present"/> is left to the caller.</summary>
    public void Dispose() => Logits.Dispose();
}
