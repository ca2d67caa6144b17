namespace SkDiffusion.Denoising;

/// <summary>Options for <see cref="OnnxDenoiser.Create"/>.</summary>
public sealed class OnnxDenoiserOptions
{
    /// <summary>The execution provider. Default <see cref="ExecutionProvider.Auto"/>.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Auto;

    /// <summary>The CUDA device id. Default 0.</summary>
    public int DeviceId { get; set; }

    /// <summary>The CUDA memory arena limit in bytes, or <see langword="null"/> for ONNX Runtime's default.</summary>
    public long? GpuMemoryLimitBytes { get; set; }

    /// <summary>
    /// Under CUDA, whether cached runs write their keys and values into device memory, where the next run reads them
    /// without a copy (default <see langword="true"/>). With <see langword="false"/> they come back to host memory and
    /// are copied to the device on every cached step. Ignored on the CPU.
    /// </summary>
    public bool DeviceResidentCaches { get; set; } = true;

    /// <summary>CPU threads for one run, or <see langword="null"/> for ONNX Runtime's default (all cores).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>ONNX Runtime's graph optimization level. Default <see cref="Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public Microsoft.ML.OnnxRuntime.GraphOptimizationLevel GraphOptimizationLevel { get; set; } = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Receives warnings, e.g. that CUDA could not be loaded and the CPU is used instead.</summary>
    public Action<string>? Warning { get; set; }
}
