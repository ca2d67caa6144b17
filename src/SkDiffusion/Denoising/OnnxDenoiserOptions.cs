using Microsoft.ML.OnnxRuntime;

namespace SkDiffusion.Denoising;

/// <summary>Options for <see cref="OnnxDenoiser.Create"/>.</summary>
public sealed class OnnxDenoiserOptions
{
    /// <summary>The execution provider. Default <see cref="ExecutionProvider.Auto"/>.</summary>
    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Auto;

    /// <summary>The CUDA device id (0 or more; CUDA's <c>device_id</c>). Default 0.</summary>
    public int DeviceId { get; set; }

    /// <summary>
    /// The CUDA memory arena limit in bytes (more than 0; CUDA's <c>gpu_mem_limit</c>), or <see langword="null"/> for
    /// ONNX Runtime's default (no limit).
    /// </summary>
    public long? GpuMemoryLimitBytes { get; set; }

    /// <summary>
    /// How the CUDA memory arena grows (CUDA's <c>arena_extend_strategy</c>), or <see langword="null"/> for ONNX
    /// Runtime's default (<see cref="CudaArenaExtendStrategy.NextPowerOfTwo"/>).
    /// </summary>
    public CudaArenaExtendStrategy? ArenaExtendStrategy { get; set; }

    /// <summary>
    /// Whether CUDA may use TF32 tensor cores for float32 matrix products (CUDA's <c>use_tf32</c>): faster on Ampere and
    /// later GPUs, with about 1e-3 relative error in the products. <see langword="null"/> keeps ONNX Runtime's default;
    /// <see langword="false"/> gives full float32 precision.
    /// </summary>
    public bool? UseTf32 { get; set; }

    /// <summary>
    /// Under CUDA, whether cached runs write their keys and values into device memory, where the next run reads them
    /// without a copy (default <see langword="true"/>). With <see langword="false"/> they come back to host memory and
    /// are copied to the device on every cached step. Ignored on the CPU.
    /// </summary>
    public bool DeviceResidentCaches { get; set; } = true;

    /// <summary>CPU threads for one run (1 or more), or <see langword="null"/> for ONNX Runtime's default (all cores).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>ONNX Runtime's graph optimization level. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Called with ONNX Runtime's session options just before each session is created, after the provider was added,
    /// with the provider that session is for: <see cref="ExecutionProvider.Cuda"/>, or <see cref="ExecutionProvider.Cpu"/>
    /// (also when <see cref="ExecutionProvider.Auto"/> retries on the CPU after CUDA failed). Use it for settings the
    /// typed options do not cover, e.g. <c>AddSessionConfigEntry("session.disable_cpu_ep_fallback", "1")</c> under
    /// CUDA, so that a graph node CUDA cannot run fails session creation instead of running on the CPU.
    /// </summary>
    public Action<SessionOptions, ExecutionProvider>? ConfigureSessionOptions { get; set; }

    /// <summary>A shallow copy of these options (every setting, the callbacks shared), to change without touching the original.</summary>
    /// <returns>The copy.</returns>
    public OnnxDenoiserOptions Clone() => (OnnxDenoiserOptions)MemberwiseClone();

    /// <summary>Receives warnings, e.g. that CUDA could not be loaded and the CPU is used instead.</summary>
    public Action<string>? Warning { get; set; }

    /// <summary>
    /// Replaces adding the CUDA provider to the session options (tests force provider failures with it on machines
    /// without a GPU); <see langword="null"/> adds CUDA with the options above.
    /// </summary>
    internal Action<SessionOptions>? AcceleratorSetup { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(ExecutionProvider))
        {
            throw new ArgumentException($"OnnxDenoiserOptions.ExecutionProvider is {(int)ExecutionProvider}, which is not an ExecutionProvider value; use Auto, Cpu or Cuda.", "options");
        }

        if (DeviceId < 0)
        {
            throw new ArgumentException($"OnnxDenoiserOptions.DeviceId is {DeviceId}; a CUDA device id is 0 or more (nvidia-smi lists the devices).", "options");
        }

        if (GpuMemoryLimitBytes is <= 0)
        {
            throw new ArgumentException($"OnnxDenoiserOptions.GpuMemoryLimitBytes is {GpuMemoryLimitBytes}; give a positive number of bytes, or null for no limit.", "options");
        }

        if (ArenaExtendStrategy is { } strategy && !Enum.IsDefined(strategy))
        {
            throw new ArgumentException($"OnnxDenoiserOptions.ArenaExtendStrategy is {(int)strategy}, which is not a CudaArenaExtendStrategy value; use NextPowerOfTwo, SameAsRequested or null.", "options");
        }

        if (IntraOpThreads is <= 0)
        {
            throw new ArgumentException($"OnnxDenoiserOptions.IntraOpThreads is {IntraOpThreads}; give 1 or more threads, or null for all cores.", "options");
        }

        if (!Enum.IsDefined(GraphOptimizationLevel))
        {
            throw new ArgumentException($"OnnxDenoiserOptions.GraphOptimizationLevel is {(int)GraphOptimizationLevel}, which is not a GraphOptimizationLevel value.", "options");
        }
    }
}
