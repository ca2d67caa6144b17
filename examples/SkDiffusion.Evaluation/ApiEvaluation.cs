using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using SkDiffusion.Examples.Shared;

using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Plugins;

namespace SkDiffusion.Evaluation;

/// <summary>The default mode: loads the model once, wires the public services as an application would, and prints
/// the exact-match table per path and phrasing.</summary>
internal static class ApiEvaluation
{
    public static async Task RunAsync(string packageDir, IReadOnlyList<HeldOutExample> examples, int limit, int failures, IReadOnlyDictionary<string, string> settings, IReadOnlyCollection<string> tasks)
    {
        using var model = DiffusionModel.Load(packageDir);

        // Extra settings (--setting key=value) go on every chat request.
        IChatClient client = new DiffusionChatClient(model).AsBuilder().ConfigureOptions(EvaluationCommandLine.Apply(settings)).Build();
        var infilling = DiffusionInfillingService.Create(model);
        var kernel = new Kernel();
        kernel.Plugins.AddFromObject(DiffusionPlugin.Create(infilling), "diffusion");
        // --tasks names the chat task "extraction"; the held-out set calls it "extract".
        var evaluator = new ApiEvaluator(client, infilling, kernel)
        {
            MaxFailures = failures,
            Tasks = tasks.Select(t => t == "extraction" ? "extract" : t).ToHashSet(),
        };

        Console.WriteLine($"model {model.ModelId}, held-out: at most {limit} per task and phrasing, client defaults (greedy){string.Concat(settings.Select(kv => $", {kv.Key}={kv.Value}"))}");
        var scores = await evaluator.RunAsync(examples, limit);
        Console.WriteLine();
        Console.WriteLine("| path | trained phrasing | new phrasing | valid (trained / new) | seconds |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string path in ApiEvaluator.Paths)
        {
            var t = scores.Single(s => s.Path == path && s.Phrasing == "train");
            var n = scores.Single(s => s.Path == path && s.Phrasing == "new");
            if (t.Total + n.Total == 0)
            {
                continue;
            }

            Console.WriteLine($"| {path} | {Pct(t.Accuracy)} ({t.Total}) | {Pct(n.Accuracy)} ({n.Total}) | {Pct(t.ValidShare)} / {Pct(n.ValidShare)} | {t.Seconds + n.Seconds:F1} |");
        }

        Console.WriteLine();
        foreach (var (phrasing, fields) in evaluator.Fields)
        {
            Console.WriteLine($"GetResponseAsync<Person> fields, {phrasing} phrasing: {fields}");
        }

        foreach (var (path, phrasing, expected, actual) in evaluator.Failures)
        {
            Console.WriteLine();
            Console.WriteLine($"[{path}, {phrasing}] expected: {expected}");
            Console.WriteLine($"[{path}, {phrasing}] got:      {actual}");
        }
    }

    private static string Pct(double x) => (100 * x).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
