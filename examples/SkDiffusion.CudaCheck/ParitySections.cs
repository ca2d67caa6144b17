using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;

namespace SkDiffusion.CudaCheck;

/// <summary>Logits of the provider under test against the CPU: float32 (with and without TF32), float16 and int4.</summary>
internal static class ParitySections
{
    public static async Task LogitsAsync(CheckContext c)
    {
        long[][] canvases = c.ParityCanvases();
        CheckReport r = c.Report;
        r.Line($"Canvases of {string.Join(", ", canvases.Select(x => x.Length))} positions (prompt + masks), every position and logit compared.");
        r.Line();
        r.Line(LogitsDifference.Header);
        await RowAsync(c, $"float32 on {c.AcceleratedName} vs CPU", c.Cpu, c.Accelerated, canvases, Tolerance.Float32);

        using (OnnxDenoiser noTf32 = OnnxDenoiser.Create(c.Package, new OnnxDenoiserOptions { ExecutionProvider = c.Accelerated.ActiveProvider, UseTf32 = false }))
        {
            await RowAsync(c, $"float32, UseTf32 = false, on {c.AcceleratedName} vs CPU", c.Cpu, noTf32, canvases, Tolerance.Strict);
        }

        foreach (var (name, precision, compute) in new[] { ("float16 weights", ModelPrecision.Float16, false), ("float16 compute", ModelPrecision.Float16, true) })
        {
            using OnnxDenoiser half = c.OnAccelerator(await c.BuiltAsync(precision, compute));
            await RowAsync(c, $"{name} on {c.AcceleratedName} vs CPU float32", c.Cpu, half, canvases, Tolerance.Reduced);
        }

        // int4 (MatMulNBits): the same quantised weights on both providers, so only the kernels differ.
        var int4 = await c.BuiltAsync(ModelPrecision.Int4, false);
        using OnnxDenoiser int4Cpu = OnnxDenoiser.Create(int4, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
        using OnnxDenoiser int4Accelerated = c.OnAccelerator(int4);
        await RowAsync(c, $"int4 on {c.AcceleratedName} vs int4 on CPU", int4Cpu, int4Accelerated, canvases, Tolerance.Reduced);
        var quantisation = await LogitsComparison.CompareAsync(c.Cpu, int4Cpu, canvases);
        r.Line($"| (information) int4 on CPU vs float32 on CPU: the quantisation itself | {quantisation.MaxAbs:E2} | {quantisation.MeanAbs:E2} | {quantisation.MaxLogit:F2} | {quantisation.ArgmaxAgreement:P1} | — |");
    }

    private static async Task RowAsync(CheckContext c, string name, IDenoiser expected, IDenoiser actual, long[][] canvases, Tolerance tolerance)
    {
        LogitsDifference d = await LogitsComparison.CompareAsync(expected, actual, canvases);
        c.Report.Expect(d.Passes(tolerance));
        c.Report.Line(d.Row(name, tolerance));
    }
}
