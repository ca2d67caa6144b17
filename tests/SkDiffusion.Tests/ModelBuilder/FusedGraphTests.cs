using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.TestSupport;
using Xunit.Abstractions;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>
/// The fused graph (<see cref="PackageBuildOptions.FusedGraph"/>, the default): which kernels it uses, that each runs on
/// the CPU provider, and that the sampler decodes the same tokens as on the plain graph.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class FusedGraphTests(TinyPackages packages, ITestOutputHelper output)
{
    private static readonly string[] FusedOps = ["MultiHeadAttention", "RotaryEmbedding", "SkipSimplifiedLayerNormalization"];

    [Theory]
    [InlineData("tiny-llada", true, true)]
    [InlineData("tiny-llada", true, false)]
    [InlineData("tiny-llada", false, true)]
    [InlineData("tiny-dream", true, true)]
    [InlineData("tiny-dream", false, false)]
    public async Task GraphsUseTheExpectedOps(string fixture, bool fused, bool cache)
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        var manifest = await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture(fixture), OutputDirectory = package, FusedGraph = fused, IncludeCache = cache });
        var ops = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "model.onnx"))).Graph.Node
            .GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        int layers = manifest.NumLayers;
        if (fused)
        {
            Assert.Equal(layers, ops.GetValueOrDefault("MultiHeadAttention"));
            Assert.Equal(2 * layers, ops.GetValueOrDefault("RotaryEmbedding"));

            // Every norm but the first adds the residual branch; with logits_positions the final norm follows the gather.
            Assert.Equal((2 * layers) - 1, ops.GetValueOrDefault("SkipSimplifiedLayerNormalization"));
            Assert.False(ops.ContainsKey("Softmax"));
        }
        else
        {
            Assert.Equal(layers, ops.GetValueOrDefault("Softmax"));
            Assert.All(FusedOps, op => Assert.False(ops.ContainsKey(op), op));
        }
    }

    [Theory]
    [InlineData("tiny-llada", true)]
    [InlineData("tiny-llada", false)]
    [InlineData("tiny-dream", true)]
    [InlineData("tiny-dream", false)]
    public async Task EachFusedOpRunsOnTheCpuProvider(string fixture, bool cache)
    {
        // LLaDA: MultiHeadAttention with and without its past/present inputs; Dream (grouped keys): with [B,N,T,H] keys.
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture(fixture), OutputDirectory = package, IncludeCache = cache });
        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        using var options = new SessionOptions { EnableProfiling = true, ProfileOutputPathPrefix = temp.Combine("profile") };
        string profile;
        using (var runner = new PackageRunner(package, options))
        {
            var result = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
            var (maxAbs, maxGolden) = TensorCompare.Measure(result.Logits, golden.Logits);
            Assert.True(maxAbs <= 1e-4 * Math.Max(1, maxGolden), $"max abs error {maxAbs}");
            profile = runner.EndProfiling();
        }

        // The profile lists each kernel run with its op and provider: every fused op ran, on the CPU provider.
        using var json = JsonDocument.Parse(File.ReadAllText(profile));
        var kernels = json.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("cat", out var cat) && cat.GetString() == "Node" && e.TryGetProperty("args", out var a) && a.TryGetProperty("op_name", out _))
            .Select(e => (Op: e.GetProperty("args").GetProperty("op_name").GetString()!, Provider: e.GetProperty("args").GetProperty("provider").GetString()!))
            .ToList();
        foreach (string op in FusedOps)
        {
            var runs = kernels.Where(k => k.Op == op).ToList();
            output.WriteLine($"{fixture} cache={cache}: {op} ran {runs.Count} time(s) on {string.Join(", ", runs.Select(r => r.Provider).Distinct())}");
            Assert.NotEmpty(runs);
            Assert.All(runs, r => Assert.Equal("CPUExecutionProvider", r.Provider));
        }
    }

    [Theory]
    [InlineData(false, CacheMode.None)]
    [InlineData(false, CacheMode.Dual)]
    [InlineData(true, CacheMode.None)]
    [InlineData(true, CacheMode.Prefix)]
    public async Task SamplerTokensEqualThePlainGraphs(bool dream, CacheMode cacheMode)
    {
        ModelPackage fusedPackage = dream ? packages.Dream : packages.Llada;
        using var temp = new TempDirectory();
        string dir = temp.Combine("unfused");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture(dream ? "tiny-dream" : "tiny-llada"), OutputDirectory = dir, FusedGraph = false });
        ModelPackage plainPackage = await ModelPackage.LoadAsync(dir);
        var cpu = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        using OnnxDenoiser fused = OnnxDenoiser.Create(fusedPackage, cpu);
        using OnnxDenoiser plain = OnnxDenoiser.Create(plainPackage, cpu);

        // Two rows with prompts of different lengths: the shorter one is left-padded.
        int[] prompt = [10, 42, 7, 99, 23, 61];
        var canvas = DiffusionCanvas.CreateBuilder().Add(prompt, 16).Add(prompt[..3], 16).Build();
        var options = new SamplerOptions { Steps = 16, BlockLength = 8, Selection = SelectionRule.Schedule, CacheMode = cacheMode, MaxDegreeOfParallelism = 1 };
        var a = await DiffusionSampler.Create(fused, fusedPackage.Manifest).SampleAsync(canvas, options);
        var b = await DiffusionSampler.Create(plain, plainPackage.Manifest).SampleAsync(canvas, options);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(b.Sequences[r].Tokens, a.Sequences[r].Tokens);
        }
    }
}
