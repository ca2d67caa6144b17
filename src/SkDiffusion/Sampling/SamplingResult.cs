namespace SkDiffusion.Sampling;

/// <summary>The result of <see cref="DiffusionSampler.SampleAsync"/>.</summary>
public sealed class SamplingResult
{
    internal SamplingResult(IReadOnlyList<SequenceResult> sequences, int nfe, int steps, FinishReason finishReason)
    {
        Sequences = sequences;
        Nfe = nfe;
        Steps = steps;
        FinishReason = finishReason;
    }

    /// <summary>One result per canvas row.</summary>
    public IReadOnlyList<SequenceResult> Sequences { get; }

    /// <summary>
    /// Forward passes: denoiser calls. With classifier-free guidance both rows go in one call, so a step counts once.
    /// </summary>
    public int Nfe { get; }

    /// <summary>
    /// Denoiser calls that rebuilt the key/value cache from the whole canvas (part of <see cref="Nfe"/>): once per block
    /// under <see cref="CacheMode.Prefix"/> and <see cref="CacheMode.Dual"/>, at each refresh interval or invalidation
    /// under <see cref="CacheMode.Delayed"/> and <see cref="CacheMode.Adaptive"/>; 0 without a cache.
    /// </summary>
    public int CacheRefreshes { get; internal init; }

    /// <summary>Steps run (steps that had nothing to commit or remask are skipped and not counted).</summary>
    public int Steps { get; }

    /// <summary>
    /// <see cref="FinishReason.Cancelled"/> when cancelled; otherwise <see cref="FinishReason.Eos"/> when some row's
    /// answer holds an EOS/EoT; otherwise <see cref="FinishReason.Completed"/>.
    /// </summary>
    public FinishReason FinishReason { get; }

    /// <summary>The first row's answer tokens (convenience for single-sequence canvases).</summary>
    public IReadOnlyList<int> AnswerTokens => Sequences[0].AnswerTokens;
}
