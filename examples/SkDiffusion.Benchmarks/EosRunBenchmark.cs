using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// The trailing-EOS commit (<c>trailing_eos_threshold</c>) against the default, through the public paths an
/// application calls (chat facts, <c>GetResponseAsync&lt;T&gt;</c>, <c>InfillAsync</c>) on the held-out set: each
/// example runs under every setting in turn, so the time ratios come from one run on the same machine state.
/// </summary>
internal static class EosRunBenchmark
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private sealed record Person(string Name, int Age, string City, string Job, bool Married);

    private sealed class Row(string path, double threshold)
    {
        public string Path { get; } = path;

        public double Threshold { get; } = threshold;

        public int Examples { get; set; }

        public int Correct { get; set; }

        public long Nfe { get; set; }

        public double Seconds { get; set; }
    }

    public static async Task RunAsync(ParseResult parsed)
    {
        string packageDir = parsed.GetValue(BenchmarkCommandLine.Package) ?? EmbeddedModel.PackageDirectory;
        string heldout = parsed.GetValue(BenchmarkCommandLine.HeldOut) ?? Path.Combine(AppContext.BaseDirectory, "heldout.jsonl");
        int limit = parsed.GetValue(BenchmarkCommandLine.Limit);
        var examples = HeldOutExample.Load(heldout);
        using var model = DiffusionModel.Load(packageDir);
        IChatClient client = new DiffusionChatClient(model);
        var infilling = DiffusionInfillingService.Create(model);
        double[] thresholds = [0, 0.9, 0.99];

        async Task<(bool Right, long Nfe)> Facts(HeldOutExample e, double t)
        {
            var response = await client.GetResponseAsync(e.Prompt!, Options(t));
            return (response.Text.Trim() == e.Answer, NfeOf(response));
        }

        async Task<(bool Right, long Nfe)> Typed(HeldOutExample e, double t)
        {
            var response = await client.GetResponseAsync<Person>(e.Prompt!, Options(t));
            bool right = response.TryGetResult(out Person? person) && person == JsonSerializer.Deserialize<Person>(e.Answer!, Web);
            return (right, NfeOf(response));
        }

        async Task<(bool Right, long Nfe)> Infill(HeldOutExample e, double t)
        {
            var result = await infilling.InfillAsync(e.HoleDocument(), new DiffusionPromptExecutionSettings { TrailingEosThreshold = t });
            return (result.Text == e.FilledDocument(), result.Nfe);
        }

        var paths = new (string Name, string Task, Func<HeldOutExample, double, Task<(bool, long)>> Run)[]
        {
            ("chat: facts", "facts", Facts),
            ("GetResponseAsync<Person>", "extract", Typed),
            ("InfillAsync", "infill", Infill),
        };

        // Warm-up: JIT and ONNX Runtime arenas, every path and setting once.
        foreach (var (_, task, run) in paths)
        {
            foreach (double t in thresholds)
            {
                await run(examples.First(x => x.Task == task), t);
            }
        }

        var rows = new List<Row>();
        foreach (var (name, task, run) in paths)
        {
            var byThreshold = thresholds.Select(t => new Row(name, t)).ToArray();
            var items = examples.Where(x => x.Task == task && x.Phrasing == "train").Take(limit)
                .Concat(examples.Where(x => x.Task == task && x.Phrasing == "new").Take(limit));
            foreach (var e in items)
            {
                foreach (var row in byThreshold)
                {
                    long start = Stopwatch.GetTimestamp();
                    var (right, nfe) = await run(e, row.Threshold);
                    row.Seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                    row.Examples++;
                    row.Correct += right ? 1 : 0;
                    row.Nfe += nfe;
                }
            }

            rows.AddRange(byThreshold);
        }

        Console.WriteLine($"model {model.ModelId}, CPU, {Environment.ProcessorCount} cores, held-out: {limit} per task and phrasing (trained and new), client defaults (greedy)");
        Console.WriteLine();
        Console.WriteLine("| path | trailing_eos_threshold | exact | NFE/answer | ms/answer | NFE vs off | time vs off |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var off = rows.First(r => r.Path == row.Path && r.Threshold == 0);
            Console.WriteLine($"| {row.Path} | {(row.Threshold == 0 ? "0 (off)" : row.Threshold == 0.99 ? "0.99 (default)" : row.Threshold.ToString("0.##"))} | {100.0 * row.Correct / row.Examples:F1}% | {(double)row.Nfe / row.Examples:F1} | {1000 * row.Seconds / row.Examples:F0} | {(double)row.Nfe / off.Nfe:F2}x | {row.Seconds / off.Seconds:F2}x |");
        }

        Console.WriteLine();
        Console.WriteLine("exact: share of answers equal to the held-out answer (typed: the same record); NFE/answer: denoiser calls per request");
        Console.WriteLine("(the client's usage count 'nfe', InfillingResult.Nfe); each example runs under every setting in turn.");
    }

    private static ChatOptions Options(double threshold) => new() { AdditionalProperties = new() { ["trailing_eos_threshold"] = threshold } };

    private static long NfeOf(ChatResponse response) =>
        response.Usage?.AdditionalCounts is { } counts && counts.TryGetValue("nfe", out long nfe) ? nfe : 0;
}
