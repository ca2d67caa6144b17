using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;

namespace SkDiffusion.CudaCheck;

/// <summary>Generations, device-resident caches (float32 and float16 compute) and concurrent requests.</summary>
internal static class CacheSections
{
    private const int Answer = 48;

    /// <summary>The same answer on the CPU and on the provider under test, with reference decoding and with a dual cache.</summary>
    public static async Task GenerationAsync(CheckContext c)
    {
        c.Report.Line($"| decoding (answer {Answer} tokens) | CPU ms | {c.AcceleratedName} ms | speedup | NFE | same tokens |");
        c.Report.Line("|---|---:|---:|---:|---:|---|");
        foreach (var (name, settings) in StepTimer.Settings(Answer))
        {
            var onCpu = await StepTimer.GenerateAsync(c.Cpu, c.Manifest, c.Prompt, Answer, settings);
            var onAccelerated = await StepTimer.GenerateAsync(c.Accelerated, c.Manifest, c.Prompt, Answer, settings);
            bool same = c.Report.Expect(onCpu.Tokens.SequenceEqual(onAccelerated.Tokens));
            c.Report.Line($"| {name} | {onCpu.Milliseconds:F1} | {onAccelerated.Milliseconds:F1} | {onCpu.Milliseconds / onAccelerated.Milliseconds:F2}x | {onAccelerated.Nfe} | {(same ? "yes" : "NO")} |");
        }
    }

    /// <summary>
    /// That device-resident caches took effect (under CUDA a cached run's keys and values live in CUDA memory; on the CPU
    /// in host memory), then the dual-cache answer with them and with host caches, for float32 and float16 compute.
    /// </summary>
    public static async Task DeviceCachesAsync(CheckContext c)
    {
        c.Report.Line($"| package | DeviceResidentCaches | present keys live in | expected | result |");
        c.Report.Line("|---|---|---|---|---|");
        var half = await c.BuiltAsync(ModelPrecision.Float16, computeInFloat16: true);
        using OnnxDenoiser halfResident = c.OnAccelerator(half);
        using OnnxDenoiser halfHost = c.OnAccelerator(half, deviceResidentCaches: false);
        using OnnxDenoiser host = c.OnAccelerator(c.Package, deviceResidentCaches: false);
        foreach (var (name, denoiser) in new[] { ("float32", c.Accelerated), ("float16 compute", halfResident) })
        {
            string memory = WhereCachesLive(denoiser, c.Canvas(c.Prompt.Count + 8));
            string expected = c.OnCuda ? "Cuda" : "Cpu";
            bool ok = c.Report.Expect(denoiser.DeviceResidentCaches == c.OnCuda && memory == expected);
            c.Report.Line($"| {name} | {denoiser.DeviceResidentCaches} | {memory} | {expected} | {(ok ? "pass" : "FAIL")} |");
        }

        c.Report.Line();
        c.Report.Line($"| dual cache on {c.AcceleratedName} (answer {Answer}) | device-resident caches ms | host caches ms | ratio | same tokens |");
        c.Report.Line("|---|---:|---:|---:|---|");
        var (setting, options) = StepTimer.Settings(Answer).Last();
        foreach (var (name, resident, copied) in new[] { ("float32", c.Accelerated, host), ("float16 compute", halfResident, halfHost) })
        {
            var a = await StepTimer.GenerateAsync(resident, c.Manifest, c.Prompt, Answer, options);
            var b = await StepTimer.GenerateAsync(copied, c.Manifest, c.Prompt, Answer, options);
            bool same = c.Report.Expect(a.Tokens.SequenceEqual(b.Tokens));
            c.Report.Line($"| {name}, {setting} | {a.Milliseconds:F1} | {b.Milliseconds:F1} | {b.Milliseconds / a.Milliseconds:F2}x | {(same ? "yes" : "NO")} |");
        }
    }

    /// <summary>Eight full passes at once against the same passes one by one, then four dual-cache generations at once.</summary>
    public static async Task ConcurrencyAsync(CheckContext c)
    {
        long[][] canvases = [.. Enumerable.Range(0, 8).Select(i => c.Canvas(Math.Min(c.Manifest.ContextLength, c.Prompt.Count + 8 + (16 * i))))];
        var serial = new List<DenoiserOutput>();
        DenoiserOutput[] concurrent = [];
        try
        {
            foreach (long[] ids in canvases)
            {
                serial.Add(await c.Accelerated.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length)));
            }

            concurrent = await Task.WhenAll(canvases.Select(ids => Task.Run(async () => await c.Accelerated.DenoiseAsync(new DenoiserInput(ids, 1, ids.Length)))));
            LogitsDifference d = LogitsComparison.Compare(serial, concurrent);
            c.Report.Expect(d.Passes(Tolerance.Strict));
            c.Report.Line(LogitsDifference.Header);
            c.Report.Line(d.Row($"8 concurrent full passes vs the same one by one, on {c.AcceleratedName}", Tolerance.Strict));
        }
        finally
        {
            serial.ForEach(o => o.Dispose());
            Array.ForEach(concurrent, o => o.Dispose());
        }

        var (setting, options) = StepTimer.Settings(Answer).Last();
        var alone = await StepTimer.GenerateAsync(c.Accelerated, c.Manifest, c.Prompt, Answer, options, warmUp: false);
        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => StepTimer.GenerateAsync(c.Accelerated, c.Manifest, c.Prompt, Answer, options, warmUp: false))));
        int same = together.Count(t => t.Tokens.SequenceEqual(alone.Tokens));
        c.Report.Expect(same == together.Length);
        c.Report.Line();
        c.Report.Line($"4 concurrent generations ({setting}, device-resident caches: {c.Accelerated.DeviceResidentCaches}): {same}/4 equal to the generation alone; "
            + $"slowest {together.Max(t => t.Milliseconds):F1} ms vs {alone.Milliseconds:F1} ms alone. {(same == together.Length ? "pass" : "FAIL")}");
    }

    /// <summary>Where a cached run's present keys are allocated: ONNX Runtime's memory info name ("Cuda" or "Cpu").</summary>
    private static string WhereCachesLive(OnnxDenoiser denoiser, long[] canvas)
    {
        long[] positions = [.. Enumerable.Range(0, canvas.Length).Select(i => (long)i)];
        using CachedRunResult run = denoiser.RunWithCache(canvas, 1, canvas.Length, positions, [.. Enumerable.Repeat(1L, canvas.Length)], past: null);
        try
        {
            using OrtMemoryInfo info = run.Present.GetKey(0).GetTensorMemoryInfo();
            return run.Present.IsHostResident == (info.Name == "Cpu") ? info.Name : $"{info.Name} (but IsHostResident = {run.Present.IsHostResident})";
        }
        finally
        {
            run.Present.Dispose();
        }
    }
}
