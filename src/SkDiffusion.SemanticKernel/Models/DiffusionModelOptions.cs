using SkDiffusion.Denoising;
using SkDiffusion.Packaging;

namespace SkDiffusion.SemanticKernel.Models;

/// <summary>How a <see cref="DiffusionModel"/> is loaded.</summary>
public sealed class DiffusionModelOptions
{
    /// <summary>Package validation options (checksums…).</summary>
    public ModelPackageOptions? Package { get; set; }

    /// <summary>ONNX Runtime options (execution provider, threads).</summary>
    public OnnxDenoiserOptions? Denoiser { get; set; }

    /// <summary>How many generations may run at once on the shared model (default 1; more share the session).</summary>
    public int MaxConcurrentRequests { get; set; } = 1;
}
