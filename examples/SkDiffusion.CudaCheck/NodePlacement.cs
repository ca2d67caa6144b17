using System.Text.Json;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;

namespace SkDiffusion.CudaCheck;

/// <summary>
/// Which provider ran each graph node, from ONNX Runtime's profile of real runs (enabled through
/// <see cref="OnnxDenoiserOptions.ConfigureSessionOptions"/>): the profile names the provider of every node it timed.
/// </summary>
internal static class NodePlacement
{
    /// <summary>Operators whose placement on the CPU under CUDA means the GPU is not doing the model's work.</summary>
    public static readonly IReadOnlySet<string> HeavyOperators = new HashSet<string>(StringComparer.Ordinal)
    {
        "MatMul", "MatMulNBits", "Gemm", "Softmax", "Attention", "MultiHeadAttention", "GroupQueryAttention", "RotaryEmbedding",
        "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization", "LayerNormalization",
    };

    /// <summary>Runs <paramref name="canvas"/> once (and the creation probe) with profiling; returns provider → operator → nodes.</summary>
    public static async Task<SortedDictionary<string, SortedDictionary<string, int>>> ProfileAsync(ModelPackage package, ExecutionProvider provider, long[] canvas)
    {
        string dir = Directory.CreateTempSubdirectory("skd-placement-").FullName;
        try
        {
            using (OnnxDenoiser denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions
            {
                ExecutionProvider = provider,
                ConfigureSessionOptions = (so, _) =>
                {
                    so.ProfileOutputPathPrefix = Path.Combine(dir, "profile"); // read when profiling is enabled
                    so.EnableProfiling = true;
                },
            }))
            {
                (await denoiser.DenoiseAsync(new DenoiserInput(canvas, 1, canvas.Length))).Dispose();
            }

            // The session writes its profile when it is released.
            string file = Directory.GetFiles(dir, "profile*.json").Single();
            return Read(file);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Counts distinct nodes per provider and operator in a profile file.</summary>
    public static SortedDictionary<string, SortedDictionary<string, int>> Read(string profileFile)
    {
        using JsonDocument events = JsonDocument.Parse(File.ReadAllText(profileFile));
        var nodes = new Dictionary<string, (string Provider, string Operator)>(StringComparer.Ordinal);
        foreach (JsonElement e in events.RootElement.EnumerateArray())
        {
            if (e.TryGetProperty("cat", out JsonElement cat) && cat.GetString() == "Node"
                && e.TryGetProperty("name", out JsonElement name) && name.GetString() is { } n && n.EndsWith("_kernel_time", StringComparison.Ordinal)
                && e.TryGetProperty("args", out JsonElement args)
                && args.TryGetProperty("provider", out JsonElement provider) && args.TryGetProperty("op_name", out JsonElement op))
            {
                nodes[n] = (provider.GetString() ?? "?", op.GetString() ?? "?");
            }
        }

        var result = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var (provider, op) in nodes.Values)
        {
            var ops = result.TryGetValue(provider, out var found) ? found : result[provider] = new SortedDictionary<string, int>(StringComparer.Ordinal);
            ops[op] = ops.GetValueOrDefault(op) + 1;
        }

        return result;
    }
}
