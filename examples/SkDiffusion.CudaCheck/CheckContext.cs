using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.CudaCheck;

/// <summary>What every section shares: the options, the report, the package, both denoisers and the canvases.</summary>
internal sealed class CheckContext(CheckOptions options, CheckReport report, ModelPackage package, OnnxDenoiser cpu, OnnxDenoiser accelerated, IReadOnlyList<int> prompt, string checkpoint) : IDisposable
{
    private readonly Dictionary<string, ModelPackage> _built = [];
    private readonly List<string> _directories = [];

    public CheckOptions Options { get; } = options;

    public CheckReport Report { get; } = report;

    /// <summary>The float32 package.</summary>
    public ModelPackage Package { get; } = package;

    public ModelManifest Manifest => Package.Manifest;

    public OnnxDenoiser Cpu { get; } = cpu;

    /// <summary>The denoiser under test: CUDA, or the CPU under --allow-cpu when CUDA did not load.</summary>
    public OnnxDenoiser Accelerated { get; } = accelerated;

    /// <summary>Whether the denoiser under test really runs on CUDA.</summary>
    public bool OnCuda => Accelerated.ActiveProvider == ExecutionProvider.Cuda;

    public string AcceleratedName => OnCuda ? "CUDA" : "CPU (no CUDA)";

    public IReadOnlyList<int> Prompt { get; } = prompt;

    /// <summary>The checkpoint the float16 and int4 packages are built from.</summary>
    public string Checkpoint { get; } = checkpoint;

    /// <summary>The prompt followed by masks, <paramref name="length"/> positions in all.</summary>
    public long[] Canvas(int length) => [.. Enumerable.Range(0, length).Select(i => i < Prompt.Count ? Prompt[i] : Manifest.TokenIds.Mask).Select(t => (long)t)];

    /// <summary>Three canvases: prompt + 8 masks, prompt + 48 masks, and the longest (up to 256 positions).</summary>
    public long[][] ParityCanvases()
    {
        int longest = Math.Min(Manifest.ContextLength, 256);
        return [Canvas(Prompt.Count + 8), Canvas(Math.Min(longest, Prompt.Count + 48)), Canvas(longest)];
    }

    /// <summary>A package built from the checkpoint once per precision (deleted at the end).</summary>
    public async Task<ModelPackage> BuiltAsync(ModelPrecision precision, bool computeInFloat16)
    {
        string key = $"{precision}-{computeInFloat16}";
        if (!_built.TryGetValue(key, out ModelPackage? package))
        {
            string dir = Path.Combine(Path.GetTempPath(), $"skd-cuda-{key}-" + Guid.NewGuid().ToString("N"));
            _directories.Add(dir);
            await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = Checkpoint, OutputDirectory = dir, Precision = precision, ComputeInFloat16 = computeInFloat16 });
            package = _built[key] = ModelPackage.Load(dir);
        }

        return package;
    }

    /// <summary>A denoiser over <paramref name="package"/> on the provider under test.</summary>
    public OnnxDenoiser OnAccelerator(ModelPackage package, bool deviceResidentCaches = true) =>
        OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = Accelerated.ActiveProvider, DeviceResidentCaches = deviceResidentCaches });

    public void Dispose()
    {
        foreach (string dir in _directories)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
