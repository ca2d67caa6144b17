using SkDiffusion.Denoising;
using SkDiffusion.Packaging;

namespace SkDiffusion.Extensions.AI;

/// <summary>How a <see cref="DiffusionModel"/> is loaded.</summary>
public sealed class DiffusionModelOptions
{
    /// <summary>Package validation options (checksums…).</summary>
    public ModelPackageOptions? Package { get; set; }

    /// <summary>ONNX Runtime options (execution provider, threads).</summary>
    public OnnxDenoiserOptions? Denoiser { get; set; }

    /// <summary>How many generations may run at once on the shared model (default 1; more share the session).</summary>
    public int MaxConcurrentRequests { get; set; } = 1;

    /// <summary>
    /// Whether concurrent generations share denoiser runs (<see cref="BatchingDenoiser"/>): their canvases are padded to one
    /// length and run as one batch. Pays on a GPU, where a batch of rows costs little more than one; on a CPU it mostly
    /// adds padding. Needs <see cref="MaxConcurrentRequests"/> above 1. Results equal unbatched ones up to floating-point
    /// rounding, so a near-tie between two tokens can resolve differently. Default <see langword="false"/>.
    /// </summary>
    public bool BatchConcurrentRequests { get; set; }

    /// <summary>Batch size and wait for <see cref="BatchConcurrentRequests"/>; <see langword="null"/> for the defaults.</summary>
    public BatchingDenoiserOptions? Batching { get; set; }
}
