using Microsoft.ML.OnnxRuntime;

namespace SkDiffusion.Denoising;

/// <summary>
/// The native ONNX Runtime library, which the application brings: SkDiffusion references only the managed API
/// (<c>Microsoft.ML.OnnxRuntime.Managed</c>). Turns a missing native library into an error that names the package to add.
/// </summary>
internal static class OnnxRuntimeNative
{
    /// <summary>The package of the CPU build (every platform ONNX Runtime supports).</summary>
    internal const string CpuPackage = "Microsoft.ML.OnnxRuntime";

    /// <summary>The package of the CUDA build (Linux and Windows x64; falls back to the CPU).</summary>
    internal const string GpuPackage = "Microsoft.ML.OnnxRuntime.Gpu";

    private const string CudaProviderName = "CUDAExecutionProvider";

    /// <summary>Creates session options: the first call into the native library.</summary>
    /// <exception cref="DllNotFoundException">The native library is missing; the message names the package to add.</exception>
    public static SessionOptions CreateSessionOptions()
    {
        try
        {
            return new SessionOptions();
        }
        catch (Exception ex) when (IsMissingLibrary(ex))
        {
            throw MissingLibrary(ex);
        }
    }

    /// <summary>Whether the application's ONNX Runtime build has the CUDA execution provider (the GPU package).</summary>
    public static bool HasCudaProvider() => OrtEnv.Instance().GetAvailableProviders().Contains(CudaProviderName, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="ex"/> (or an exception it wraps) says the native library could not be loaded.</summary>
    internal static bool IsMissingLibrary(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return true;
            }

            if (e is not TypeInitializationException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>The error for a missing or unusable native library, naming the packages that provide it.</summary>
    internal static DllNotFoundException MissingLibrary(Exception cause)
    {
        Exception innermost = cause;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return new DllNotFoundException(
            $"ONNX Runtime's native library could not be loaded ({innermost.Message}). SkDiffusion references only the managed "
            + $"ONNX Runtime API: add the native package to the application, '{CpuPackage}' for the CPU on any platform or "
            + $"'{GpuPackage}' for CUDA (Linux and Windows x64), in the version of Microsoft.ML.OnnxRuntime.Managed it resolves "
            + $"(for example: dotnet add package {CpuPackage}).",
            cause);
    }
}
