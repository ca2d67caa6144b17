// Disposes an OnnxDenoiser while sampling runs are in flight on it, then checks that every run ended with its result,
// a cancellation or an ObjectDisposedException, and that later calls are refused. Run as a child process by
// DisposeDuringRunTests: a crash inside ONNX Runtime kills this process, not the test host.
// Usage: SkDiffusion.DisposeRace <package folder> <seed>
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: SkDiffusion.DisposeRace <package folder> <seed>");
    return 2;
}

int seed = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var random = new Random(seed);
ModelPackage package = ModelPackage.Load(args[0]);
var denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
var sampler = DiffusionSampler.Create(denoiser, package.Manifest);
int[] prompt = [.. package.Tokenizer.EncodeToIds("Tell me a fact about the sea.")];
var runs = new List<Task<SamplingResult>>();
var firstStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
for (int i = 0; i < 3; i++)
{
    var options = new SamplerOptions { Steps = 16, BlockLength = 8, Seed = (ulong)(seed + i), OnStep = _ => firstStep.TrySetResult() };
    if (i % 2 == 1 && denoiser.SupportsCache)
    {
        options.CacheMode = CacheMode.Prefix;
    }

    runs.Add(Task.Run(() => sampler.SampleAsync(DiffusionCanvas.FromPrompt(prompt, 16), options)));
}

// Dispose once the runs are decoding: right after a step, or a few milliseconds later (inside a denoiser pass).
await firstStep.Task;
Thread.Sleep(random.Next(0, 8));
denoiser.Dispose();
int completed = 0, disposed = 0, terminated = 0;
foreach (Task<SamplingResult> run in runs)
{
    try
    {
        await run;
        completed++;
    }
    catch (ObjectDisposedException ex) when (ex.Message.Contains(package.Manifest.Name, StringComparison.Ordinal))
    {
        disposed++;
        terminated += ex.Message.Contains("while this run was in flight", StringComparison.Ordinal) ? 1 : 0;
    }
}

try
{
    await denoiser.DenoiseAsync(new DenoiserInput(new long[] { 1, 2 }, 1, 2));
    Console.Error.WriteLine("a call after Dispose ran");
    return 3;
}
catch (ObjectDisposedException)
{
}

Console.WriteLine($"OK completed={completed} disposed={disposed} terminated={terminated}");
return 0;
