using SkDiffusion.Sampling;

namespace SkDiffusion.Benchmarks;

/// <summary>A named decoding configuration: builds sampler options for an answer of a given length.</summary>
internal sealed record Strategy(string Name, Func<int, SamplerOptions> Options);
