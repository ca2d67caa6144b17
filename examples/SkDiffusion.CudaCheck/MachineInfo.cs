using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace SkDiffusion.CudaCheck;

/// <summary>What the results depend on: ONNX Runtime, the GPU and its driver, and the CUDA libraries actually loaded.</summary>
internal static class MachineInfo
{
    private static readonly string[] CudaLibraries =
        ["libonnxruntime_providers_cuda", "libcudart", "libcublas", "libcublasLt", "libcudnn", "libcufft", "libcurand", "libnvrtc", "libnvJitLink", "libcuda.so"];

    /// <summary>ONNX Runtime's version and the providers its native library was built with.</summary>
    public static string OnnxRuntime() =>
        $"{OrtEnv.Instance().GetVersionString()} (built with {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())})";

    /// <summary>GPU name, driver, memory and compute capability from nvidia-smi, or why there are none.</summary>
    public static string Gpus()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", "--query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            string output = process.StandardOutput.ReadToEnd().Trim();
            return process.WaitForExit(10_000) && process.ExitCode == 0 && output.Length > 0
                ? string.Join("; ", output.Split('\n', StringSplitOptions.TrimEntries))
                : $"nvidia-smi failed (exit code {(process.HasExited ? process.ExitCode : -1)})";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "none (nvidia-smi not found)";
        }
    }

    /// <summary>The CUDA libraries mapped into this process (their file names carry the versions), with their folders.</summary>
    public static IReadOnlyList<string> LoadedCudaLibraries()
    {
        if (!File.Exists("/proc/self/maps"))
        {
            return [];
        }

        return [.. File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].StartsWith('/'))
            .Select(fields => fields[5])
            .Where(path => CudaLibraries.Any(name => Path.GetFileName(path).StartsWith(name, StringComparison.Ordinal)))
            .Distinct()
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(path => $"{Path.GetFileName(path)} ({Path.GetDirectoryName(path)})")];
    }
}
