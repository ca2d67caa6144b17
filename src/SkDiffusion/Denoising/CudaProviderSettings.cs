using System.Globalization;

namespace SkDiffusion.Denoising;

/// <summary>The CUDA execution provider's settings (ONNX Runtime's option names and values) for an <see cref="OnnxDenoiserOptions"/>.</summary>
internal static class CudaProviderSettings
{
    /// <summary>
    /// <c>device_id</c> always; <c>gpu_mem_limit</c>, <c>arena_extend_strategy</c> and <c>use_tf32</c> only when set, so
    /// that ONNX Runtime's defaults apply otherwise.
    /// </summary>
    public static Dictionary<string, string> From(OnnxDenoiserOptions options)
    {
        var settings = new Dictionary<string, string> { ["device_id"] = options.DeviceId.ToString(CultureInfo.InvariantCulture) };
        if (options.GpuMemoryLimitBytes is long limit)
        {
            settings["gpu_mem_limit"] = limit.ToString(CultureInfo.InvariantCulture);
        }

        if (options.ArenaExtendStrategy is CudaArenaExtendStrategy strategy)
        {
            settings["arena_extend_strategy"] = strategy == CudaArenaExtendStrategy.SameAsRequested ? "kSameAsRequested" : "kNextPowerOfTwo";
        }

        if (options.UseTf32 is bool tf32)
        {
            settings["use_tf32"] = tf32 ? "1" : "0";
        }

        return settings;
    }
}
