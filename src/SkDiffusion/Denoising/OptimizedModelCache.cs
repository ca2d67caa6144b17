using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Packaging;

namespace SkDiffusion.Denoising;

/// <summary>
/// Opens a package's graph, saving ONNX Runtime's optimised graph beside the package on the first load and loading that
/// file (with graph optimisation off) on later loads; see <see cref="OnnxDenoiserOptions.SaveOptimizedModel"/>.
/// The file name carries the ONNX Runtime version, the optimisation level and the graph's hash, so a rebuilt package or an
/// upgraded runtime writes a new file. CPU only: under CUDA the original graph is loaded.
/// </summary>
internal static class OptimizedModelCache
{
    /// <summary>Creates the session for <paramref name="package"/>, through the cached optimised graph when enabled.</summary>
    /// <exception cref="OnnxRuntimeException">The package's own graph does not load.</exception>
    public static InferenceSession Open(ModelPackage package, OnnxDenoiserOptions options, SessionOptions sessionOptions, ExecutionProvider active)
    {
        if (!options.SaveOptimizedModel || active != ExecutionProvider.Cpu || options.GraphOptimizationLevel == GraphOptimizationLevel.ORT_DISABLE_ALL)
        {
            return new InferenceSession(package.ModelPath, sessionOptions);
        }

        string path = CachePath(package, options.GraphOptimizationLevel);
        if (File.Exists(path))
        {
            var level = sessionOptions.GraphOptimizationLevel;
            try
            {
                sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
                return new InferenceSession(path, sessionOptions);
            }
            catch (OnnxRuntimeException ex)
            {
                options.Warning?.Invoke($"The saved optimised graph {path} does not load ({ex.Message}); loading the package's graph and saving it again.");
                TryDelete(path);
            }
            finally
            {
                sessionOptions.GraphOptimizationLevel = level;
            }
        }

        // Written under a temporary name and renamed once the session exists, so a crash never leaves a truncated file in use.
        string partial = path + ".partial";
        try
        {
            sessionOptions.OptimizedModelFilePath = partial;
            sessionOptions.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", Path.GetFileName(path) + ".data");
            sessionOptions.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            var session = new InferenceSession(package.ModelPath, sessionOptions);
            try
            {
                File.Move(partial, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                options.Warning?.Invoke($"The optimised graph could not be saved as {path} ({ex.Message}).");
                TryDelete(partial);
            }

            return session;
        }
        catch (OnnxRuntimeException ex) when (!File.Exists(partial))
        {
            // Typically a read-only package folder: load without saving.
            options.Warning?.Invoke($"The optimised graph could not be saved beside the package ({ex.Message}); loading without it.");
            sessionOptions.OptimizedModelFilePath = "";
            return new InferenceSession(package.ModelPath, sessionOptions);
        }
    }

    /// <summary>The file the optimised graph of <paramref name="package"/> is saved to.</summary>
    public static string CachePath(ModelPackage package, GraphOptimizationLevel level)
    {
        string model = package.Manifest.Files.Model;
        string hash = package.Manifest.Sha256.TryGetValue(model, out string? sha) && sha.Length >= 12 ? sha[..12] : "nohash";
        string version = OrtEnv.Instance().GetVersionString();
        string name = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(model)}.optimized-ort{version}-{(int)level}-{hash}.onnx");
        return Path.Combine(package.Directory, name);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover file is rewritten or ignored on the next load.
        }
    }
}
