using System.CommandLine;
using SkDiffusion.Examples.Shared;
using System.Globalization;
using SkDiffusion.Benchmarks;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Selection;

// Speed benchmark of the sampler on the embedded model over the held-out set, against LLaDA reference decoding.
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks                   -> the strategy table
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks -- --scaling      -> cost vs. model size and length
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks -- --grammar      -> grammar-constrained decoding cost
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks -- --graph        -> fused vs. plain graph, PyTorch, FLOP floor
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks -- --primitives   -> hand loops vs. TensorPrimitives
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks -- --remote       -> per-step ms, local vs loopback server
//   dotnet run -c Release --project examples/SkDiffusion.Benchmarks -- --eos-run      -> trailing-EOS commit vs default, public paths
//   options: --no-concurrency (skip the concurrent-requests table)  --limit N (examples per task, default 30)  --package DIR  --heldout FILE  --threads N (ONNX intra-op, default 1; 0 = ORT default)
//   --help lists every option; an unusable command line exits with code 2.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
ParseResult parsed = BenchmarkCommandLine.Command.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

if (parsed.GetValue(BenchmarkCommandLine.Remote))
{
    await RemoteBenchmark.RunAsync(parsed);
    return 0;
}

if (parsed.GetValue(BenchmarkCommandLine.EosRun))
{
    await EosRunBenchmark.RunAsync(parsed);
    return 0;
}

if (parsed.GetValue(BenchmarkCommandLine.Graph))
{
    await GraphBenchmark.RunAsync(parsed);
    return 0;
}

if (parsed.GetValue(BenchmarkCommandLine.Grammar))
{
    await GrammarBenchmark.RunAsync(parsed);
    return 0;
}

if (parsed.GetValue(BenchmarkCommandLine.Scaling))
{
    await ScalingBenchmark.RunAsync(parsed);
    return 0;
}

if (parsed.GetValue(BenchmarkCommandLine.Primitives))
{
    PrimitivesBenchmark.Run(parsed);
    return 0;
}

string packageDir = parsed.GetValue(BenchmarkCommandLine.Package) ?? EmbeddedModel.PackageDirectory;
string heldout = parsed.GetValue(BenchmarkCommandLine.HeldOut) ?? Path.Combine(AppContext.BaseDirectory, "heldout.jsonl");
int limit = parsed.GetValue(BenchmarkCommandLine.Limit);
// One intra-op thread by default: on a small shared CPU it beats the pool for a model this size (--threads 0 = ORT default).
int threads = parsed.GetValue(BenchmarkCommandLine.Threads);

var package = ModelPackage.Load(packageDir);
using var onnx = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = threads > 0 ? threads : null });
var denoiser = new TimingDenoiser(onnx);
var examples = HeldOutExample.Load(heldout);
var bench = new HeldOutBenchmark(package, denoiser);
bench.Prepare(examples, limit);

const int Block = 8;
static SamplerOptions Eos(SamplerOptions o)
{
    o.StopAtEos = true;
    return o;
}

static SamplerOptions Fast(int n, SelectionRule rule, double threshold, CacheMode cache, int block = Block) => new()
{
    Steps = n,
    BlockLength = block,
    Selection = rule,
    Threshold = threshold,
    CacheMode = cache,
    MaxDegreeOfParallelism = 1,
};

// EB-Sampler: the bound γ (nats) replaces the threshold.
static SamplerOptions Eb(int n, double gamma, CacheMode cache = CacheMode.None)
{
    SamplerOptions o = Fast(n, SelectionRule.EntropyBounded, 0.9, cache);
    o.EntropyBound = gamma;
    return o;
}

// The baseline is LLaDA's generate(): one token per step, the output head over every position of the canvas.
var reference = new Strategy("reference (1 token/step, logits everywhere)", n => new SamplerOptions { Steps = n, MaxDegreeOfParallelism = 1 }) { AllLogits = true };
var rows = new List<Strategy>
{
    reference,
    new("reference, logits at masked block positions", n => new SamplerOptions { Steps = n, MaxDegreeOfParallelism = 1 }),
    new($"threshold 0.9, blocks of {Block}", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.None)),
    new($"threshold 0.9, blocks of {Block}, prefix cache", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Prefix)),
    new($"threshold 0.9, blocks of {Block}, dual cache", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Dual)),
    new($"threshold 0.9, blocks of {Block}, dKV-Cache", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Delayed)),
    new($"threshold 0.9, blocks of {Block}, dLLM-Cache", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Adaptive)),
    new($"EB-Sampler γ 0.1, blocks of {Block}", n => Eb(n, 0.1)),
};
var candidates = new List<Strategy>
{
    new($"threshold 0.7, blocks of {Block}, dual cache", n => Fast(n, SelectionRule.Threshold, 0.7, CacheMode.Dual)),
    new($"factor 1.0, blocks of {Block}, dual cache", n => Fast(n, SelectionRule.Factor, 0.9, CacheMode.Dual)),
    new($"threshold 0.9, blocks of 16, dual cache", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Dual, 16)),
    new($"threshold 0.9, blocks of {Block}, dual, EOS stop", n => Eos(Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Dual))),
    new($"threshold 0.9, blocks of 16, dual, EOS stop", n => Eos(Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Dual, 16))),
    new($"threshold 0.9, blocks of 32, dual cache", n => Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Dual, 32)),
    new($"threshold 0.9, blocks of 32, dual, EOS stop", n => Eos(Fast(n, SelectionRule.Threshold, 0.9, CacheMode.Dual, 32))),
    new($"threshold 0.8, blocks of 16, dual, EOS stop", n => Eos(Fast(n, SelectionRule.Threshold, 0.8, CacheMode.Dual, 16))),
    new($"EB-Sampler γ 0.5, blocks of {Block}", n => Eb(n, 0.5)),
    new($"EB-Sampler γ 0.1, blocks of {Block}, dual cache", n => Eb(n, 0.1, CacheMode.Dual)),
};

// Warm-up (JIT, ONNX Runtime arenas) on a few examples of every configuration.
foreach (Strategy s in rows.Concat(candidates))
{
    await bench.RunAsync(s, 6);
}

Console.WriteLine($"model {package.Manifest.Name} ({package.Manifest.Architecture}, {package.Manifest.DType}, has_cache {package.Manifest.HasCache}), CPU, {Environment.ProcessorCount} cores, {(threads > 0 ? threads.ToString(CultureInfo.InvariantCulture) : "default")} ONNX thread(s), held-out {limit} per task (extract, facts, infill), greedy");
var results = new List<Measurement>();
foreach (Strategy s in rows.Concat(candidates))
{
    results.Add(await bench.RunAsync(s, record: ReferenceEquals(s, reference)));
}

Measurement baseline = results[0];
Measurement best = results.Skip(1).Where(r => r.Accuracy >= baseline.Accuracy - 1.0).OrderByDescending(r => r.TokensPerSecond).FirstOrDefault() ?? results[^1];
Console.WriteLine();
Console.WriteLine($"| {"strategy",-46} | {"tokens/s",9} | {"x ref",6} | {"NFE/token",9} | {"ms/step",7} | {"outside Run",11} | {"accuracy",8} | {"same as ref",11} | {"bytes/step",10} | {"steady B/step",13} |");
Console.WriteLine($"|{new string('-', 48)}|{new string('-', 11)}|{new string('-', 8)}|{new string('-', 11)}|{new string('-', 9)}|{new string('-', 13)}|{new string('-', 10)}|{new string('-', 13)}|{new string('-', 12)}|{new string('-', 15)}|");
foreach (Measurement r in results.Take(rows.Count).Append(best))
{
    string name = ReferenceEquals(r, best) ? "best: " + r.Name : r.Name;
    Console.WriteLine($"| {name,-46} | {r.TokensPerSecond,9:F0} | {r.TokensPerSecond / baseline.TokensPerSecond,5:F1}x | {r.NfePerToken,9:F3} | {r.MsPerStep,7:F2} | {r.OverheadPercent,10:F1}% | {r.Accuracy,7:F1}% | {(ReferenceEquals(r, baseline) ? 100 : r.Agreement),10:F1}% | {r.BytesPerStep,10:F0} | {r.SteadyBytesPerStep,13:F0} |");
}

Console.WriteLine();
Console.WriteLine("other candidates for 'best' (accuracy within 1 point of reference required):");
foreach (Measurement r in results.Skip(rows.Count))
{
    Console.WriteLine($"  {r.Name,-46} {r.TokensPerSecond,8:F0} tok/s  {r.TokensPerSecond / baseline.TokensPerSecond,5:F1}x  NFE/token {r.NfePerToken:F3}  accuracy {r.Accuracy:F1}%  same as ref {r.Agreement:F1}%");
}

Console.WriteLine();
Console.WriteLine("tokens/s: answer positions decoded per second of SampleAsync; ms/step: SampleAsync time / denoiser calls;");
Console.WriteLine("outside Run: share of SampleAsync time not spent in the denoiser call (sampler + input/output marshalling);");
Console.WriteLine("bytes/step: managed bytes allocated in SampleAsync (incl. per-run setup and the ONNX wrapper) / denoiser calls;");
Console.WriteLine("same as ref: share of examples whose whole canvas equals the reference decoding's (a fidelity proxy);");
Console.WriteLine("steady B/step: managed bytes allocated between two step events of a run, excluding the first step.");

if (!parsed.GetValue(BenchmarkCommandLine.NoConcurrency))
{
    Console.WriteLine();
    await ConcurrencyBenchmark.RunAsync(package, onnx, examples, threads);
}

return 0;
