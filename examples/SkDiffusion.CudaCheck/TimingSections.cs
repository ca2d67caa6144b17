using System.Diagnostics;
using SkDiffusion.Benchmarks;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.CudaCheck;

/// <summary>Step times, CPU and the provider under test side by side: the embedded model and a larger random one.</summary>
internal static class TimingSections
{
    private const int Block = 32;

    /// <summary>Full passes of the embedded model, batch 1 and 8.</summary>
    public static async Task EmbeddedAsync(CheckContext c)
    {
        long[][] canvases = c.ParityCanvases();
        c.Report.Line($"Median of {c.Options.Runs} timed runs after 3 warm-ups.");
        c.Report.Line();
        c.Report.Line($"| {c.Manifest.Name}, full pass | CPU ms | {c.AcceleratedName} ms | speedup |");
        c.Report.Line("|---|---:|---:|---:|");
        foreach (int batch in new[] { 1, 8 })
        {
            foreach (long[] canvas in new[] { canvases[1], canvases[2] })
            {
                double a = await StepTimer.FullPassAsync(c.Cpu, canvas, batch, c.Options.Runs);
                double b = await StepTimer.FullPassAsync(c.Accelerated, canvas, batch, c.Options.Runs);
                c.Report.Line($"| batch {batch} x {canvas.Length} positions | {a:F2} | {b:F2} | {a / b:F2}x |");
            }
        }
    }

    /// <summary>
    /// A random LLaDA-shaped model (the benchmarks' scaling model, built here from a generated checkpoint): full passes
    /// and dual-cache block steps at several canvas lengths.
    /// </summary>
    public static async Task LargeAsync(CheckContext c)
    {
        var (hidden, layers) = c.Options.Large ?? (c.OnCuda ? (1024, 12) : (256, 2));
        int mlp = hidden * 11 / 4;
        string work = Path.Combine(Path.GetTempPath(), $"skd-cuda-large-{hidden}x{layers}-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = Stopwatch.StartNew();
            long parameters = RandomCheckpoint.Write(Path.Combine(work, "checkpoint"), hidden, layers, hidden / 64, mlp, 1024, Path.Combine(AppContext.BaseDirectory, "scaling-tokenizer.json"));
            await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = Path.Combine(work, "checkpoint"), OutputDirectory = Path.Combine(work, "package"), Name = "random-llada" });
            Directory.Delete(Path.Combine(work, "checkpoint"), recursive: true);
            ModelPackage package = ModelPackage.Load(Path.Combine(work, "package"));
            c.Report.Line($"Random LLaDA-shaped model {hidden}x{layers} (mlp {mlp}, vocab {package.Manifest.VocabSize}): {parameters / 1e6:F1}M parameters, float32, built in {clock.Elapsed.TotalSeconds:F0} s. "
                + $"Medians of {c.Options.Runs} runs on {c.AcceleratedName}, {CpuRuns(c)} on the CPU, after 3 warm-ups; block step: {Block} positions against a cache of the whole canvas.");
            c.Report.Line();
            c.Report.Line($"| canvas | CPU full pass ms | {c.AcceleratedName} full pass ms | speedup | CPU block step ms | {c.AcceleratedName} block step ms | speedup |");
            c.Report.Line("|---:|---:|---:|---:|---:|---:|---:|");
            using OnnxDenoiser cpu = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
            using OnnxDenoiser accelerated = c.OnAccelerator(package);
            int mask = package.Manifest.TokenIds.Mask;
            foreach (int length in new[] { 128, 256, 512 })
            {
                long[] canvas = [.. Enumerable.Range(0, length).Select(i => i < 16 ? 10L + i : mask)];
                double cpuFull = await StepTimer.FullPassAsync(cpu, canvas, 1, CpuRuns(c));
                double full = await StepTimer.FullPassAsync(accelerated, canvas, 1, c.Options.Runs);
                double cpuBlock = await StepTimer.BlockStepAsync(cpu, canvas, Block, CpuRuns(c));
                double block = await StepTimer.BlockStepAsync(accelerated, canvas, Block, c.Options.Runs);
                c.Report.Line($"| {length} | {cpuFull:F1} | {full:F2} | {cpuFull / full:F1}x | {cpuBlock:F1} | {block:F2} | {cpuBlock / block:F1}x |");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // The CPU side only gives the scale of the speedup: fewer runs keep the check inside a brief GPU window.
    private static int CpuRuns(CheckContext c) => Math.Max(3, c.Options.Runs / 4);
}
