using System.CommandLine;
using SkDiffusion.Examples.Shared;
using System.Globalization;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Evaluation;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Selection;

// Exact-match evaluation of a model package on the held-out set (entities unseen in training; each task has a
// trained-phrasing and a new-phrasing half, whose sentence templates never appear in training).
//   dotnet run -c Release --project examples/SkDiffusion.Evaluation                 -> the public API paths (IChatClient,
//                                                                                       GetResponseAsync<T>, InfillAsync, kernel plugin)
//   dotnet run -c Release --project examples/SkDiffusion.Evaluation -- --engine     -> reference decoding on hand-built canvases
//   dotnet run -c Release --project examples/SkDiffusion.Evaluation -- --table      -> the decoding-strategy table
//   dotnet run -c Release --project examples/SkDiffusion.Evaluation -- --reward copy --candidates 4 --reward-mode block
//                                                                                   -> the chat tasks with and without a shipped verifier
//                                                                                      (--reward copy|schema, --reward-mode block|step,
//                                                                                      --reward-temperature T, --tasks facts,extraction,Person,
//                                                                                      --phrasings train,new, --setting key=value for both clients)
//   options: --package DIR  --heldout FILE  --limit N (per task and phrasing, default 100)  --failures N (print N wrong answers per task)
//            --setting key=value (chat and typed paths: a diffusion setting on every request, e.g. block_length=8)
//            --tasks facts,extraction,infill (the API paths of those tasks only)
// --help lists the options; an unusable command line exits with code 2.
ParseResult parsed = EvaluationCommandLine.Command.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

string packageDir = parsed.GetValue(EvaluationCommandLine.Package) ?? EmbeddedModel.PackageDirectory;
string heldout = parsed.GetValue(EvaluationCommandLine.HeldOut) ?? Path.Combine(AppContext.BaseDirectory, "heldout.jsonl");
int limit = parsed.GetValue(EvaluationCommandLine.Limit);
bool table = parsed.GetValue(EvaluationCommandLine.Table);
int failures = parsed.GetValue(EvaluationCommandLine.Failures);

if (parsed.GetValue(EvaluationCommandLine.Reward) is string reward)
{
    // Reward guidance through the public API: the same tasks with and without the reward, in one run.
    GuidanceEvaluation.Failures = failures;
    await GuidanceEvaluation.RunAsync(
        packageDir,
        HeldOutExample.Load(heldout),
        limit,
        reward,
        parsed.GetValue(EvaluationCommandLine.Candidates),
        parsed.GetValue(EvaluationCommandLine.Mode),
        parsed.GetValue(EvaluationCommandLine.RewardTemperature),
        parsed.GetValue(EvaluationCommandLine.Tasks) ?? [],
        parsed.GetValue(EvaluationCommandLine.Phrasings) ?? ["train", "new"],
        EvaluationCommandLine.SettingPairs(parsed));
    return 0;
}

if (!table && !parsed.GetValue(EvaluationCommandLine.Engine))
{
    string[] tasks = parsed.GetValue(EvaluationCommandLine.Tasks) ?? [];
    if (tasks.FirstOrDefault(t => t is not ("facts" or "extraction" or "infill")) is string unknown)
    {
        Console.Error.WriteLine($"--tasks: '{unknown}' is not a task of the API paths; use facts, extraction or infill.");
        return 2;
    }

    await ApiEvaluation.RunAsync(packageDir, HeldOutExample.Load(heldout), limit, failures, EvaluationCommandLine.SettingPairs(parsed), tasks);
    return 0;
}

var package = ModelPackage.Load(packageDir);
using var denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
var sampler = DiffusionSampler.Create(denoiser, package.Manifest);
var examples = HeldOutExample.Load(heldout);

const int Block = 8;
static SamplerOptions Base(int n) => new() { Steps = n, MaxDegreeOfParallelism = 1 };
var strategies = new List<Strategy> { new("reference (1 token/step)", n => Base(n)) };
if (table)
{
    foreach (bool blocks in new[] { false, true })
    {
        string suffix = blocks ? $", blocks of {Block}" : "";
        SamplerOptions B(SamplerOptions o, int n)
        {
            if (blocks)
            {
                o.BlockLength = Block;
                o.Steps = Math.Max(o.Steps, (n + Block - 1) / Block);
            }

            return o;
        }

        if (blocks)
        {
            strategies.Add(new("reference" + suffix, n => B(Base(n), n)));
        }

        strategies.Add(new("fixed 2 tokens/step" + suffix, n => B(new SamplerOptions { Steps = (n + 1) / 2, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("fixed 4 tokens/step" + suffix, n => B(new SamplerOptions { Steps = (n + 3) / 4, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("threshold 0.9" + suffix, n => B(new SamplerOptions { Steps = n, Selection = SelectionRule.Threshold, Threshold = 0.9, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("threshold 0.7" + suffix, n => B(new SamplerOptions { Steps = n, Selection = SelectionRule.Threshold, Threshold = 0.7, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("factor 1.0" + suffix, n => B(new SamplerOptions { Steps = n, Selection = SelectionRule.Factor, Factor = 1.0, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("confident 0.9 (Dimple)" + suffix, n => B(new SamplerOptions { Steps = (n + 3) / 4, Selection = SelectionRule.Confident, Threshold = 0.9, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("ReMDM cap 0.05, 1.5x steps" + suffix, n => B(new SamplerOptions { Steps = n + (n / 2), Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 0.05 }, MaxDegreeOfParallelism = 1 }, n)));
        strategies.Add(new("EB-Sampler, entropy bound 0.5" + suffix, n => B(new SamplerOptions { Steps = n, Selection = SelectionRule.EntropyBounded, EntropyBound = 0.5, MaxDegreeOfParallelism = 1 }, n)));
        if (blocks)
        {
            // The caches need blocks: the cached window is the current block.
            strategies.Add(new("threshold 0.9, dKV-Cache (delayed)" + suffix, n => B(new SamplerOptions { Steps = n, Selection = SelectionRule.Threshold, Threshold = 0.9, CacheMode = CacheMode.Delayed, MaxDegreeOfParallelism = 1 }, n)));
            strategies.Add(new("threshold 0.9, dLLM-Cache (adaptive)" + suffix, n => B(new SamplerOptions { Steps = n, Selection = SelectionRule.Threshold, Threshold = 0.9, CacheMode = CacheMode.Adaptive, MaxDegreeOfParallelism = 1 }, n)));
        }
    }
}

Console.WriteLine($"model {package.Manifest.Name} ({package.Manifest.Architecture}, {package.Manifest.DType}), held-out {limit} per task, greedy");
Console.WriteLine($"{"strategy",-40} {"extract",8} {"facts",8} {"infill",8} {"NFE/token",10} {"seconds",8}");
var evaluator = new Evaluator(package, sampler) { MaxFailures = failures };
ExtractionFields? fields = null;
List<(string Task, string Expected, string Actual)> wrong = [];
foreach (Strategy s in strategies)
{
    var scores = await evaluator.RunAsync(examples, s, limit);
    double nfePerToken = (double)scores.Sum(x => x.Nfe) / scores.Sum(x => x.AnswerPositions);
    Console.WriteLine($"{s.Name,-40} {Pct(scores[0]),8} {Pct(scores[1]),8} {Pct(scores[2]),8} {nfePerToken,10:F3} {scores.Sum(x => x.Seconds),8:F1}");
    if (ReferenceEquals(s, strategies[0]))
    {
        fields = evaluator.Fields;
        wrong = [.. evaluator.Failures];
    }
}

Console.WriteLine();
Console.WriteLine($"extraction fields, {strategies[0].Name}: {fields}");
foreach (var (task, expected, actual) in wrong)
{
    Console.WriteLine();
    Console.WriteLine($"[{task}] expected: {expected}");
    Console.WriteLine($"[{task}] got:      {actual}");
}

return 0;

static string Pct(Evaluator.TaskScore s) => (100 * s.Accuracy).ToString("F1", CultureInfo.InvariantCulture) + "%";
