namespace SkDiffusion.Denoising;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProvider
{
    /// <summary>
    /// CUDA when the application's ONNX Runtime package has it (<c>Microsoft.ML.OnnxRuntime.Gpu</c>) and it loads,
    /// otherwise the CPU: quietly with the CPU package, with a warning when the CUDA build cannot load.
    /// </summary>
    Auto,

    /// <summary>The CPU only.</summary>
    Cpu,

    /// <summary>CUDA only: an error when it cannot load.</summary>
    Cuda,
}
