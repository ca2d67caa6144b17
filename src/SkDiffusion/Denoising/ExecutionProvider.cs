namespace SkDiffusion.Denoising;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProvider
{
    /// <summary>CUDA when it loads, otherwise the CPU with a warning.</summary>
    Auto,

    /// <summary>The CPU only.</summary>
    Cpu,

    /// <summary>CUDA only: an error when it cannot load.</summary>
    Cuda,
}
