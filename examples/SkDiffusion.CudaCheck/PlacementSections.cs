using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.CudaCheck;

/// <summary>No silent CPU fallback: sessions that refuse CPU nodes, and the provider of every node from a profile.</summary>
internal static class PlacementSections
{
    private const string DisableCpuFallback = "session.disable_cpu_ep_fallback";

    /// <summary>
    /// Opens each package under CUDA with <c>session.disable_cpu_ep_fallback = 1</c> (set through
    /// <see cref="OnnxDenoiserOptions.ConfigureSessionOptions"/>): a node CUDA cannot run then fails the session instead of
    /// running on the CPU.
    /// </summary>
    public static async Task StrictAsync(CheckContext c)
    {
        if (!c.OnCuda)
        {
            throw new SkippedException($"{DisableCpuFallback} only means something under CUDA.");
        }

        c.Report.Line($"| package | opens with {DisableCpuFallback} = 1 | result |");
        c.Report.Line("|---|---|---|");
        foreach (var (name, package) in await PackagesAsync(c))
        {
            string outcome;
            try
            {
                using OnnxDenoiser strict = OnnxDenoiser.Create(package, new OnnxDenoiserOptions
                {
                    ExecutionProvider = ExecutionProvider.Cuda,
                    ConfigureSessionOptions = (so, provider) =>
                    {
                        if (provider == ExecutionProvider.Cuda)
                        {
                            so.AddSessionConfigEntry(DisableCpuFallback, "1");
                        }
                    },
                });
                (await strict.DenoiseAsync(new DenoiserInput(c.Canvas(c.Prompt.Count + 8), 1, c.Prompt.Count + 8))).Dispose();
                outcome = "yes";
            }
            catch (InvalidOperationException ex)
            {
                outcome = "NO: " + (ex.InnerException?.Message ?? ex.Message).ReplaceLineEndings(" ");
            }

            bool ok = c.Report.Expect(outcome == "yes");
            c.Report.Line($"| {name} | {outcome} | {(ok ? "pass" : "FAIL")} |");
        }
    }

    /// <summary>The provider of every node that ran (from ONNX Runtime's profile); under CUDA no heavy operator may run on the CPU.</summary>
    public static async Task NodesAsync(CheckContext c)
    {
        string cpuProvider = "CPUExecutionProvider";
        c.Report.Line("| package | nodes per provider (operators) | heavy operators on the CPU | result |");
        c.Report.Line("|---|---|---|---|");
        foreach (var (name, package) in await PackagesAsync(c))
        {
            var placement = await NodePlacement.ProfileAsync(package, c.Accelerated.ActiveProvider, c.Canvas(c.Prompt.Count + 8));
            string counts = string.Join("; ", placement.Select(p => $"{p.Key}: {p.Value.Values.Sum()} ({string.Join(", ", p.Value.Select(o => $"{o.Key} {o.Value}"))})"));
            string[] heavyOnCpu = c.OnCuda && placement.TryGetValue(cpuProvider, out var onCpu) ? [.. onCpu.Keys.Where(NodePlacement.HeavyOperators.Contains)] : [];
            bool ranOnTarget = placement.ContainsKey(c.OnCuda ? "CUDAExecutionProvider" : cpuProvider);
            bool ok = c.Report.Expect(ranOnTarget && heavyOnCpu.Length == 0);
            c.Report.Line($"| {name} | {counts} | {(heavyOnCpu.Length == 0 ? "none" : string.Join(", ", heavyOnCpu))} | {(ok ? "pass" : "FAIL")} |");
        }
    }

    private static async Task<IReadOnlyList<(string Name, ModelPackage Package)>> PackagesAsync(CheckContext c) =>
    [
        ("float32", c.Package),
        ("float16 compute", await c.BuiltAsync(ModelPrecision.Float16, computeInFloat16: true)),
        ("int4", await c.BuiltAsync(ModelPrecision.Int4, computeInFloat16: false)),
    ];
}
