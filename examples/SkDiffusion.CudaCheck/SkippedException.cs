namespace SkDiffusion.CudaCheck;

/// <summary>Thrown by a section that does not apply on this machine (e.g. CUDA-only assertions on the CPU).</summary>
internal sealed class SkippedException(string reason) : Exception(reason);
