using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Cost of one denoiser step vs. model size and answer length: the embedded model and a random-weight LLaDA-shaped
/// model (built from a generated F16 safetensors checkpoint with <see cref="PackageBuilder"/>).
/// </summary>
internal static class ScalingBenchmark
{
    private const int Prompt = 16;
    private const int Block = 32;

    public static async Task RunAsync(ParseResult parsed)
    {
        int hidden = parsed.GetValue(BenchmarkCommandLine.Hidden);
        int layers = parsed.GetValue(BenchmarkCommandLine.Layers);
        int mlp = parsed.GetValue(BenchmarkCommandLine.Mlp);
        int repeats = parsed.GetValue(BenchmarkCommandLine.Repeats) ?? 2;
        int[] lengths = parsed.GetValue(BenchmarkCommandLine.Lengths) ?? [];
        string work = parsed.GetValue(BenchmarkCommandLine.Work) ?? Path.Combine(Path.GetTempPath(), "skdiffusion-scaling");

        Console.WriteLine($"| {"model",-22} | {"params",7} | {"answer",6} | {"full pass ms",12} | {"prefix step ms",14} | {"dual step ms",12} | {"full/dual",9} |");
        Console.WriteLine($"|{new string('-', 24)}|{new string('-', 9)}|{new string('-', 8)}|{new string('-', 14)}|{new string('-', 16)}|{new string('-', 14)}|{new string('-', 11)}|");

        var tiny = ModelPackage.Load(EmbeddedModel.PackageDirectory);
        using (var denoiser = OnnxDenoiser.Create(tiny, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu }))
        {
            foreach (int length in lengths.Where(l => Prompt + l <= tiny.Manifest.ContextLength))
            {
                await MeasureAsync("embedded tiny-llada", 3.8e6, denoiser, tiny.Manifest.MaskTokenId(), length, repeats * 3);
            }
        }

        string checkpoint = Path.Combine(work, "checkpoint");
        string packageDir = Path.Combine(work, $"package-{hidden}x{layers}");
        long parameters;
        if (!File.Exists(Path.Combine(packageDir, "manifest.json")))
        {
            var clock = Stopwatch.StartNew();
            parameters = RandomCheckpoint.Write(checkpoint, hidden, layers, hidden / 64, mlp, 1024, Path.Combine(AppContext.BaseDirectory, "scaling-tokenizer.json"));
            await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = packageDir, Overwrite = true, Name = "random-llada" });
            Directory.Delete(checkpoint, recursive: true);
            Console.Error.WriteLine($"built a random {parameters / 1e6:F0}M-parameter package in {clock.Elapsed.TotalSeconds:F0} s at {packageDir}");
        }

        var package = ModelPackage.Load(packageDir);
        var m = package.Manifest;
        parameters = (2L * m.VocabSize * m.HiddenSize) + ((long)m.NumLayers * ((4L * m.HiddenSize * m.HiddenSize) + (3L * m.HiddenSize * m.IntermediateSize)));
        using (var denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu }))
        {
            foreach (int length in lengths)
            {
                await MeasureAsync($"random {hidden}x{layers}", parameters, denoiser, m.MaskTokenId(), length, repeats);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"prompt {Prompt} tokens + answer; prefix step: the second half of the answer against a cached prompt + first half;");
        Console.WriteLine($"dual step: one block of {Block} against everything else cached. Times are one denoiser call, median of the repeats.");
    }

    private static int MaskTokenId(this ModelManifest manifest) => manifest.TokenIds.Mask;

    private static async Task MeasureAsync(string name, double parameters, OnnxDenoiser denoiser, int mask, int answer, int repeats)
    {
        int total = Prompt + answer;
        var tokens = new long[total];
        for (int i = 0; i < total; i++)
        {
            tokens[i] = i < Prompt ? 10 + i : mask;
        }

        var positions = Enumerable.Range(0, total).Select(i => (long)i).ToArray();
        var ones = Enumerable.Repeat(1L, total).ToArray();

        // Full pass, keeping the present for the cached runs.
        KvCache? present = null;
        var full = new List<double>();
        for (int i = 0; i <= repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var r = await denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(tokens, positions, ones, 1, total, null, true));
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i > 0)
            {
                full.Add(ms);
            }

            present?.Dispose();
            present = r.Present;
        }

        // Prefix: run the second half of the answer against the rest.
        int split = Prompt + (answer / 2);
        using KvCache prefix = present!.Slice(split);
        double prefixMs = await TimeAsync(denoiser, tokens, positions, ones, split, total, prefix, repeats);

        // Dual: one block in the middle of the answer against everything else.
        int blockStart = Prompt + Math.Max(0, (answer / 2) - (Block / 2));
        int blockEnd = Math.Min(total, blockStart + Block);
        using KvCache before = present.Slice(blockStart);
        using KvCache after = present.SliceRange(blockEnd, total - blockEnd);
        using KvCache dual = KvCacheRanges.Concat(before, after);
        double dualMs = await TimeAsync(denoiser, tokens, positions, ones, blockStart, blockEnd, dual, repeats);
        present.Dispose();

        double fullMs = Median(full);
        Console.WriteLine($"| {name,-22} | {parameters / 1e6,6:F1}M | {answer,6} | {fullMs,12:F1} | {prefixMs,14:F1} | {dualMs,12:F1} | {fullMs / dualMs,8:F1}x |");
    }

    private static async Task<double> TimeAsync(OnnxDenoiser denoiser, long[] tokens, long[] positions, long[] ones, int start, int end, KvCache past, int repeats)
    {
        int n = end - start;
        var times = new List<double>();
        for (int i = 0; i <= repeats; i++)
        {
            long t = Stopwatch.GetTimestamp();
            using var r = await denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(tokens.AsMemory(start, n), positions.AsMemory(start, n), ones.AsMemory(0, past.Length + n), 1, n, past, false));
            if (i > 0)
            {
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }

        return Median(times);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
