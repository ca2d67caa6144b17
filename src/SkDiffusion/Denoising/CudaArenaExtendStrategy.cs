namespace SkDiffusion.Denoising;

/// <summary>How ONNX Runtime's CUDA memory arena grows when it needs more device memory (its <c>arena_extend_strategy</c>).</summary>
public enum CudaArenaExtendStrategy
{
    /// <summary>Grow by powers of two (ONNX Runtime's default): fewer, larger allocations; may reserve more memory than used.</summary>
    NextPowerOfTwo,

    /// <summary>Grow by exactly what is requested: the tightest memory use, at the cost of more allocations.</summary>
    SameAsRequested,
}
