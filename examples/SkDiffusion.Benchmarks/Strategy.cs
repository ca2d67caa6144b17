using SkDiffusion.Sampling;

namespace SkDiffusion.Benchmarks;

/// <summary>A named decoding configuration: builds sampler options for an answer of a given length.</summary>
internal sealed record Strategy(string Name, Func<int, SamplerOptions> Options)
{
    /// <summary>Ask the denoiser for logits at every position (the output head over the whole canvas), as before logits_positions.</summary>
    public bool AllLogits { get; init; }
}
