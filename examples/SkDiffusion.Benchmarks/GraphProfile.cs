using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Packaging;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Where the time of one forward pass goes: ONNX Runtime's profiler on one pass of each graph (after a warm-up pass),
/// summed per op type. Kernel times of nodes inside an <c>If</c> branch are listed under their own op type and are also
/// part of the <c>If</c> node's time.
/// </summary>
internal static class GraphProfile
{
    private const string KernelSuffix = "_kernel_time";
    private const int Prompt = 16;

    /// <summary>Profiles one pass of each package at <paramref name="canvas"/> and prints per-op-type totals in ms.</summary>
    public static void Print(IReadOnlyDictionary<bool, ModelPackage> packages, int canvas, int threads, string work)
    {
        var totals = new Dictionary<bool, Dictionary<string, double>>();
        var passes = new Dictionary<bool, double>();
        foreach (bool fused in new[] { false, true })
        {
            string folder = Path.Combine(work, "profile-" + (fused ? "fused" : "unfused"));
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);

            // The session options OnnxDenoiser uses on the CPU (all graph optimizations, the thread count), plus the profiler.
            using var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                IntraOpNumThreads = threads,

                // The prefix is read when profiling is enabled, so it comes first.
                ProfileOutputPathPrefix = Path.Combine(folder, "profile"),
                EnableProfiling = true,
            };
            var package = packages[fused];
            using var session = new InferenceSession(package.ModelPath, options);

            // One warm-up pass, then the profiled one; only the last run's events are summed.
            Pass(session, package.Manifest, canvas);
            var clock = Stopwatch.StartNew();
            Pass(session, package.Manifest, canvas);
            passes[fused] = clock.Elapsed.TotalMilliseconds;
            totals[fused] = LastRunTotals(session.EndProfiling());
        }

        Console.WriteLine();
        Console.WriteLine($"ONNX Runtime profile of one pass at canvas {canvas}, {threads} thread(s) (after one warm-up pass; the profiled pass took {passes[false]:F0} ms unfused, {passes[true]:F0} ms fused");
        Console.WriteLine("with the profiler on). Kernel time summed per op type, ms; an If's time includes the nodes of its branch:");
        Console.WriteLine();
        Console.WriteLine($"| {"op type",-34} | {"unfused ms",10} | {"fused ms",8} |");
        Console.WriteLine($"|{new string('-', 36)}|{new string('-', 12)}|{new string('-', 10)}|");
        foreach (string op in totals[false].Keys.Union(totals[true].Keys).OrderByDescending(o => Math.Max(totals[false].GetValueOrDefault(o), totals[true].GetValueOrDefault(o))))
        {
            Console.WriteLine($"| {op,-34} | {Cell(totals[false], op),10} | {Cell(totals[true], op),8} |");
        }

        double Sum(bool fused) => totals[fused].Where(t => t.Key != "If").Sum(t => t.Value);
        Console.WriteLine($"| {"all kernels (If not counted twice)",-34} | {Sum(false),10:F0} | {Sum(true),8:F0} |");

        static string Cell(Dictionary<string, double> totals, string op) =>
            totals.TryGetValue(op, out double ms) ? ms.ToString("F1", CultureInfo.InvariantCulture) : "";
    }

    /// <summary>One pass as the graph benchmark times it: 16 prompt tokens and masks, logits at the masked positions.</summary>
    private static void Pass(InferenceSession session, ModelManifest m, int canvas)
    {
        long[] shape = [1, canvas];
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, canvas).Select(i => i < Prompt ? 10L + i : m.TokenIds.Mask).ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, canvas).Select(i => (long)i).ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, canvas).ToArray(), shape),
        };
        var names = new List<string> { "input_ids", "position_ids", "attention_mask" };
        try
        {
            for (int i = 0; m.HasCache && i < m.NumLayers; i++)
            {
                foreach (string part in new[] { "key", "value" })
                {
                    names.Add($"past_key_values.{i}.{part}");
                    values.Add(OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, m.NumKvHeads, 0, m.HeadDim]));
                }
            }

            if (m.LogitsPositions)
            {
                names.Add("logits_positions");
                values.Add(OrtValue.CreateTensorValueFromMemory(Enumerable.Range(Prompt, canvas - Prompt).Select(i => (long)i).ToArray(), [1, canvas - Prompt]));
            }

            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, names, values, ["logits"]);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Kernel ms per op type of the last <c>model_run</c> in a profile file.</summary>
    private static Dictionary<string, double> LastRunTotals(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var events = json.RootElement.EnumerateArray().ToList();
        long lastRun = events
            .Where(e => e.TryGetProperty("name", out var n) && n.GetString() == "model_run")
            .Max(e => e.GetProperty("ts").GetInt64());
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.TryGetProperty("cat", out var cat) && cat.GetString() == "Node"
                && e.GetProperty("name").GetString()!.EndsWith(KernelSuffix, StringComparison.Ordinal)
                && e.GetProperty("ts").GetInt64() >= lastRun
                && e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var op))
            {
                string name = op.GetString()!;
                totals[name] = totals.GetValueOrDefault(name) + (e.GetProperty("dur").GetInt64() / 1000.0);
            }
        }

        return totals;
    }
}
