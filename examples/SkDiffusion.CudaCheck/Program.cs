using System.CommandLine;
using System.Globalization;
using SkDiffusion.Chat;
using SkDiffusion.CudaCheck;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Packaging;

// The CUDA path end to end, for a brief GPU window (scripts/cuda-check/README.md):
//   dotnet run -c Release --project examples/SkDiffusion.CudaCheck -- [--out DIR] [--runs N] [--timeout-minutes M] [--allow-cpu]
// Every section runs even when one before it failed; cuda-check.md is rewritten after each section, at the end and
// when the time runs out. Exit code 0: every check passed; 1: a check failed; 2: CUDA could not load (without
// --allow-cpu) or the command line is unusable (--help lists the options); 3: the time ran out.
ParseResult parsed = CheckOptions.Command.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
CheckOptions options = CheckOptions.From(parsed);
var report = new CheckReport(options.Output);
using var watchdog = new Timer(
    _ =>
    {
        report.WriteTimedOut(options.TimeoutMinutes);
        Environment.Exit(3);
    },
    null,
    TimeSpan.FromMinutes(options.TimeoutMinutes),
    Timeout.InfiniteTimeSpan);

CheckContext? context = null;
try
{
    report.Line("# CUDA check");
    report.Line();
    report.Line($"- when: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} CPU cores; .NET {Environment.Version}");
    report.Line($"- ONNX Runtime: {MachineInfo.OnnxRuntime()}");
    report.Line($"- GPU (name, driver, memory, compute capability): {MachineInfo.Gpus()}");
    report.Write();

    ModelPackage package = ModelPackage.Load(options.Package ?? EmbeddedModel.PackageDirectory);
    var cpu = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
    OnnxDenoiser accelerated;
    try
    {
        accelerated = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cuda });
    }
    catch (InvalidOperationException ex)
    {
        report.Line($"- CUDA did not load: {ex.Message.ReplaceLineEndings(" ")}");
        if (!options.AllowCpu)
        {
            report.Expect(false);
            cpu.Dispose();
            return 2;
        }

        report.Line("- --allow-cpu: the CPU stands in for CUDA (this checks the program, not CUDA).");
        accelerated = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu });
    }

    ModelManifest m = package.Manifest;
    IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, "Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married.")]);
    context = new CheckContext(options, report, package, cpu, accelerated, prompt, options.Checkpoint ?? FindCheckpoint());
    report.Line($"- provider under test: {context.AcceleratedName} (ActiveProvider = {accelerated.ActiveProvider}, device-resident caches: {accelerated.DeviceResidentCaches})");
    report.Line($"- model: {m.Name} ({m.Architecture}, {m.NumLayers} layers, d={m.HiddenSize}, vocab {m.VocabSize}); timed runs per measurement: {options.Runs}");
    IReadOnlyList<string> libraries = MachineInfo.LoadedCudaLibraries();
    report.Line($"- CUDA libraries loaded: {(libraries.Count == 0 ? "none" : string.Join(", ", libraries))}");

    CheckContext c = context;
    await report.SectionAsync("Strict placement (no CPU fallback)", () => PlacementSections.StrictAsync(c));
    await report.SectionAsync("Node placement (profile)", () => PlacementSections.NodesAsync(c));
    await report.SectionAsync("Logits parity", () => ParitySections.LogitsAsync(c));
    await report.SectionAsync("Generation", () => CacheSections.GenerationAsync(c));
    await report.SectionAsync("Device-resident caches", () => CacheSections.DeviceCachesAsync(c));
    await report.SectionAsync("Concurrent requests", () => CacheSections.ConcurrencyAsync(c));
    await report.SectionAsync("Step times, embedded model", () => TimingSections.EmbeddedAsync(c));
    await report.SectionAsync("Step times, larger model", () => TimingSections.LargeAsync(c));
    if (c.OnCuda)
    {
        // Libraries that load lazily (cuDNN's engines, cuBLASLt) are mapped by now.
        report.Line();
        report.Line($"CUDA libraries loaded at the end: {string.Join(", ", MachineInfo.LoadedCudaLibraries())}");
    }

    report.Line();
    report.Line(report.Passed ? "All checks passed." : "SOME CHECKS FAILED.");
    return report.Passed ? 0 : 1;
}
catch (Exception ex)
{
    report.Expect(false);
    report.Line();
    report.Line($"**CHECK ABORTED** with {ex.GetType().Name}: {ex.Message}");
    Console.Error.WriteLine(ex);
    return 1;
}
finally
{
    watchdog.Change(Timeout.Infinite, Timeout.Infinite);
    report.Write(report.Passed ? "All checks passed." : "SOME CHECKS FAILED.");
    Console.Error.WriteLine($"Results: {report.Path}");
    if (context is not null)
    {
        context.Accelerated.Dispose();
        context.Cpu.Dispose();
        context.Dispose();
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
