using System.Diagnostics;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Concurrent requests on one model: one at a time, concurrently on the shared session, and concurrently through a
/// <see cref="BatchingDenoiser"/> (canvases padded into one run per step).
/// </summary>
internal static class ConcurrencyBenchmark
{
    public static async Task RunAsync(ModelPackage package, OnnxDenoiser onnx, IReadOnlyList<HeldOutExample> examples, int threads)
    {
        const int Requests = 16;
        var items = HeldOutItem.Tasks.SelectMany(t => examples.Where(x => x.Task == t).Take(Requests / 2)).Take(Requests).Select(e => HeldOutItem.Create(package, e)).ToList();
        static SamplerOptions Options(int n) => new() { Steps = n, BlockLength = 8, Selection = SelectionRule.Threshold, Threshold = 0.9, MaxDegreeOfParallelism = 1 };
        int tokens = items.Sum(i => i.Tokens);
        using var batching = BatchingDenoiser.Create(onnx, new BatchingDenoiserOptions { OwnsInner = false });

        async Task<(double Seconds, int Correct)> Sequential()
        {
            var sampler = DiffusionSampler.Create(onnx, package.Manifest);
            long start = Stopwatch.GetTimestamp();
            int correct = 0;
            foreach (var item in items)
            {
                correct += item.IsCorrect(await sampler.SampleAsync(item.Canvas, Options(item.Tokens))) ? 1 : 0;
            }

            return (Stopwatch.GetElapsedTime(start).TotalSeconds, correct);
        }

        async Task<(double Seconds, int Correct)> Concurrent(IDenoiser denoiser)
        {
            var sampler = DiffusionSampler.Create(denoiser, package.Manifest);
            long start = Stopwatch.GetTimestamp();
            var results = await Task.WhenAll(items.Select(item => Task.Run(async () => item.IsCorrect(await sampler.SampleAsync(item.Canvas, Options(item.Tokens))))));
            return (Stopwatch.GetElapsedTime(start).TotalSeconds, results.Count(c => c));
        }

        await Sequential();
        await Concurrent(onnx);
        await Concurrent(batching);
        long runsBefore = batching.Runs;
        var rows = new List<(string Name, double Seconds, int Correct, string Runs)>
        {
            ("one request at a time", 0, 0, ""),
        };
        var seq = await Sequential();
        rows[0] = (rows[0].Name, seq.Seconds, seq.Correct, "");
        var shared = await Concurrent(onnx);
        rows.Add(($"{Requests} at once, shared session", shared.Seconds, shared.Correct, ""));
        var batched = await Concurrent(batching);
        rows.Add(($"{Requests} at once, batched runs", batched.Seconds, batched.Correct, $"{batching.Runs - runsBefore} runs"));

        Console.WriteLine($"concurrent requests: {Requests} held-out examples (threshold 0.9, blocks of 8, no cache), {tokens} answer positions, {(threads > 0 ? threads : Environment.ProcessorCount)} ONNX thread(s) per run");
        Console.WriteLine($"| {"mode",-36} | {"seconds",7} | {"tokens/s",8} | {"x one at a time",15} | {"correct",7} | {"runs",10} |");
        Console.WriteLine($"|{new string('-', 38)}|{new string('-', 9)}|{new string('-', 10)}|{new string('-', 17)}|{new string('-', 9)}|{new string('-', 12)}|");
        foreach (var r in rows)
        {
            Console.WriteLine($"| {r.Name,-36} | {r.Seconds,7:F2} | {tokens / r.Seconds,8:F0} | {seq.Seconds / r.Seconds,14:F2}x | {r.Correct,3}/{items.Count,-3} | {r.Runs,10} |");
        }
    }
}
