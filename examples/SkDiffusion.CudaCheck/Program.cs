using System.CommandLine;
using System.Globalization;
using System.Text;
using SkDiffusion.Chat;
using SkDiffusion.CudaCheck;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.Shared;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

// The CUDA path end to end: load on CUDA, logits parity with the CPU (float32, float16, float16 compute), the same
// generation, and step times side by side. Run it on a machine with a GPU (scripts/cuda-check/README.md):
//   dotnet run -c Release --project examples/SkDiffusion.CudaCheck -- [--out DIR] [--runs N] [--allow-cpu]
// Exit code 0: every check passed; 1: a check failed; 2: CUDA could not load (and --allow-cpu was not given), or the
// command line is unusable (--help lists the options).
ParseResult parsed = CheckOptions.Command.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

CheckOptions options = CheckOptions.From(parsed);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var report = new StringBuilder();
void Line(string text)
{
    Console.WriteLine(text);
    report.AppendLine(text);
}

ModelPackage package = ModelPackage.Load(options.Package ?? EmbeddedModel.PackageDirectory);
using OnnxDenoiser cpu = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
OnnxDenoiser accelerated;
string acceleratedName = "CUDA";
try
{
    accelerated = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cuda });
}
catch (InvalidOperationException ex) when (options.AllowCpu)
{
    Console.Error.WriteLine($"CUDA did not load ({ex.Message}); --allow-cpu: comparing the CPU with itself.");
    accelerated = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
    acceleratedName = "CPU (no CUDA)";
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine("FAIL: " + ex.Message);
    return 2;
}

using (accelerated)
{
    ModelManifest m = package.Manifest;
    Line($"# CUDA check: {m.Name} ({m.Architecture}, {m.NumLayers} layers, d={m.HiddenSize}, vocab {m.VocabSize})");
    Line("");
    Line($"Accelerated provider: {acceleratedName} (ActiveProvider = {accelerated.ActiveProvider}); {Environment.ProcessorCount} CPU cores; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Line("");
    bool ok = true;

    IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, "Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married.")]);
    long[] Canvas(int length) => [.. Enumerable.Range(0, length).Select(i => i < prompt.Count ? prompt[i] : m.TokenIds.Mask).Select(t => (long)t)];
    int longest = Math.Min(m.ContextLength, 256);
    long[][] canvases = [Canvas(prompt.Count + 8), Canvas(Math.Min(longest, prompt.Count + 48)), Canvas(longest)];

    Line("| check | max abs difference | max abs logit | tolerance | result |");
    Line("|---|---:|---:|---:|---|");
    var (abs32, logit32) = await LogitsComparison.CompareAsync(cpu, accelerated, canvases);
    ok &= Report("float32 package, logits vs CPU", abs32, logit32, 1e-2);

    string checkpoint = options.Checkpoint ?? FindCheckpoint();
    foreach (var (name, compute) in new[] { ("float16 weights", false), ("float16 compute", true) })
    {
        string dir = Path.Combine(Path.GetTempPath(), "skd-cuda-" + Guid.NewGuid().ToString("N"));
        try
        {
            await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = dir, Precision = ModelPrecision.Float16, ComputeInFloat16 = compute });
            ModelPackage half = ModelPackage.Load(dir);
            using OnnxDenoiser halfDenoiser = OnnxDenoiser.Create(half, new OnnxDenoiserOptions { ExecutionProvider = accelerated.ActiveProvider });
            var (abs, logit) = await LogitsComparison.CompareAsync(cpu, halfDenoiser, canvases);
            ok &= Report($"{name} package on {acceleratedName}, logits vs CPU float32", abs, logit, 3e-2);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    Line("");
    Line($"| decoding (answer 48 tokens) | CPU ms | {acceleratedName} ms | speedup | NFE | same tokens |");
    Line("|---|---:|---:|---:|---:|---|");
    foreach (var (name, settings) in StepTimer.Settings(48))
    {
        var onCpu = await StepTimer.GenerateAsync(cpu, m, prompt, 48, settings);
        var onGpu = await StepTimer.GenerateAsync(accelerated, m, prompt, 48, settings);
        bool same = onCpu.Tokens.SequenceEqual(onGpu.Tokens);
        ok &= same;
        Line($"| {name} | {onCpu.Milliseconds:F1} | {onGpu.Milliseconds:F1} | {onCpu.Milliseconds / onGpu.Milliseconds:F2}x | {onGpu.Nfe} | {(same ? "yes" : "NO")} |");
    }

    // Device-resident caches (the default under CUDA) against caches that return to the host after every refresh.
    Line("");
    Line($"| dual cache on {acceleratedName} (answer 48) | device-resident caches ms | host caches ms | ratio | same tokens |");
    Line("|---|---:|---:|---:|---|");
    using (OnnxDenoiser hostCaches = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = accelerated.ActiveProvider, DeviceResidentCaches = false }))
    {
        var (name, settings) = StepTimer.Settings(48).Last();
        var resident = await StepTimer.GenerateAsync(accelerated, m, prompt, 48, settings);
        var copied = await StepTimer.GenerateAsync(hostCaches, m, prompt, 48, settings);
        bool same = resident.Tokens.SequenceEqual(copied.Tokens);
        ok &= same;
        Line($"| {name} (device-resident: {accelerated.DeviceResidentCaches}) | {resident.Milliseconds:F1} | {copied.Milliseconds:F1} | {copied.Milliseconds / resident.Milliseconds:F2}x | {(same ? "yes" : "NO")} |");
    }

    Line("");
    Line($"| full pass | CPU ms | {acceleratedName} ms | speedup |");
    Line("|---|---:|---:|---:|");
    foreach (int batch in new[] { 1, 8 })
    {
        foreach (long[] canvas in new[] { canvases[1], canvases[2] })
        {
            double a = await StepTimer.FullPassAsync(cpu, canvas, batch, options.Runs);
            double b = await StepTimer.FullPassAsync(accelerated, canvas, batch, options.Runs);
            Line($"| batch {batch} x {canvas.Length} positions | {a:F2} | {b:F2} | {a / b:F2}x |");
        }
    }

    Line("");
    Line(ok ? "All checks passed." : "SOME CHECKS FAILED.");
    Directory.CreateDirectory(options.Output);
    await File.WriteAllTextAsync(Path.Combine(options.Output, "cuda-check.md"), report.ToString());
    return ok ? 0 : 1;

    bool Report(string name, double abs, double logit, double relative)
    {
        double tolerance = relative * Math.Max(1.0, logit);
        bool pass = abs <= tolerance;
        Line($"| {name} | {abs:E2} | {logit:F2} | {tolerance:E2} | {(pass ? "pass" : "FAIL")} |");
        return pass;
    }
}

static string FindCheckpoint()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
    {
        string candidate = Path.Combine(d.FullName, "models", "checkpoint");
        if (File.Exists(Path.Combine(candidate, "config.json")))
        {
            return candidate;
        }
    }

    throw new DirectoryNotFoundException("models/checkpoint was not found above the program; pass --checkpoint DIR.");
}
