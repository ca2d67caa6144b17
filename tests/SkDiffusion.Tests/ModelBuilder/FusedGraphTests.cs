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
        var graph = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "model.onnx"))).Graph;
        var ops = AllNodes(graph).GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        int layers = manifest.NumLayers;
        if (fused)
        {
            // Each layer's attention is an If: a MultiHeadAttention without the mask (then) and one with it (else).
            Assert.Equal(layers, graph.Node.Count(n => n.OpType == "If"));
            Assert.DoesNotContain(graph.Node, n => n.OpType == "MultiHeadAttention");
            Assert.Equal(2 * layers, ops.GetValueOrDefault("MultiHeadAttention"));
            foreach (var node in graph.Node.Where(n => n.OpType == "If"))
            {
                var then = Assert.Single(Branch(node, "then_branch").Node, n => n.OpType == "MultiHeadAttention");
                var otherwise = Assert.Single(Branch(node, "else_branch").Node, n => n.OpType == "MultiHeadAttention");
                Assert.Equal("key_padding_mask", otherwise.Input[4]);
                Assert.Equal(3, then.Input.Count(i => i.Length > 0));
                Assert.Equal(4, otherwise.Input.Count(i => i.Length > 0));
            }

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
        using var options = new SessionOptions { ProfileOutputPathPrefix = temp.Combine("profile"), EnableProfiling = true };
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
    [InlineData("tiny-llada", true)]
    [InlineData("tiny-llada", false)]
    [InlineData("tiny-dream", true)]
    [InlineData("tiny-dream", false)]
    public async Task UnpaddedRowTakesTheMasklessBranchAndMatchesGolden(string fixture, bool cache)
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture(fixture), OutputDirectory = package, IncludeCache = cache });
        var ifs = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "model.onnx"))).Graph.Node.Where(n => n.OpType == "If").ToList();
        var unmasked = ifs.Select(n => Branch(n, "then_branch").Node.Single(a => a.OpType == "MultiHeadAttention").Name).ToHashSet();
        var masked = ifs.Select(n => Branch(n, "else_branch").Node.Single(a => a.OpType == "MultiHeadAttention").Name).ToHashSet();
        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        int s = golden.Sequence, v = golden.Vocab, b = golden.Batch;
        double tolerance = 1e-4 * Math.Max(1, TensorCompare.Measure(golden.Logits, golden.Logits).MaxExpected);

        // Row 0 has no padding: run alone, every layer takes the branch without the mask, and the logits match golden.
        Assert.All(golden.AttentionMask[..s], m => Assert.Equal(1, m));
        var (row, rowRan) = RunProfiled(package, temp.Combine("row"), r => r.Run(golden.InputIds[..s], golden.PositionIds[..s], golden.AttentionMask[..s], 1, s));
        double rowError = TensorCompare.Measure(row.Logits, golden.Logits.AsSpan(0, s * v)).MaxAbs;
        output.WriteLine($"{fixture} cache={cache}: unpadded row max abs error {rowError:E3}; attention nodes run: {string.Join(", ", rowRan)}");
        Assert.True(rowError <= tolerance, $"max abs error {rowError}");
        Assert.Equal(unmasked, rowRan);

        // The batch has a left-padded row: every layer takes the masked branch.
        var (batch, batchRan) = RunProfiled(package, temp.Combine("batch"), r => r.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, b, s));
        Assert.True(TensorCompare.Measure(batch.Logits, golden.Logits).MaxAbs <= tolerance);
        Assert.Equal(masked, batchRan);
        if (cache)
        {
            // A past, even without padding, also takes the masked branch (the kernel's flash path has no past).
            int p = golden.CacheSplit, m = (int)row.PresentShape[1], d = (int)row.PresentShape[3];
            var (split, splitRan) = RunProfiled(package, temp.Combine("split"), r => r.Run(golden.InputIds[p..s], golden.PositionIds[p..s], golden.AttentionMask[..s], 1, s - p, p,
                row.PresentKeys.Select(k => TensorCompare.SlicePast(k, 1, m, s, d, p)).ToArray(), row.PresentValues.Select(x => TensorCompare.SlicePast(x, 1, m, s, d, p)).ToArray()));
            Assert.True(TensorCompare.Measure(split.Logits, golden.Logits.AsSpan(p * v, (s - p) * v)).MaxAbs <= tolerance);
            Assert.Equal(masked, splitRan);
        }
    }

    [Theory]
    [InlineData(false, CacheMode.None, true)]
    [InlineData(false, CacheMode.Dual, true)]
    [InlineData(true, CacheMode.None, true)]
    [InlineData(true, CacheMode.Prefix, true)]
    [InlineData(false, CacheMode.None, false)]
    [InlineData(false, CacheMode.Dual, false)]
    [InlineData(true, CacheMode.None, false)]
    [InlineData(true, CacheMode.Prefix, false)]
    public async Task SamplerTokensEqualThePlainGraphs(bool dream, CacheMode cacheMode, bool padded)
    {
        ModelPackage fusedPackage = dream ? packages.Dream : packages.Llada;
        using var temp = new TempDirectory();
        string dir = temp.Combine("unfused");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture(dream ? "tiny-dream" : "tiny-llada"), OutputDirectory = dir, FusedGraph = false });
        ModelPackage plainPackage = await ModelPackage.LoadAsync(dir);
        var cpu = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        using OnnxDenoiser fused = OnnxDenoiser.Create(fusedPackage, cpu);
        using OnnxDenoiser plain = OnnxDenoiser.Create(plainPackage, cpu);

        // Padded: two rows with prompts of different lengths, the shorter one left-padded (the fused graph's masked
        // branch). Otherwise one row: its full passes take the branch without the mask.
        int[] prompt = [10, 42, 7, 99, 23, 61];
        var builder = DiffusionCanvas.CreateBuilder().Add(prompt, 16);
        var canvas = (padded ? builder.Add(prompt[..3], 16) : builder).Build();
        var options = new SamplerOptions { Steps = 16, BlockLength = 8, Selection = SelectionRule.Schedule, CacheMode = cacheMode, MaxDegreeOfParallelism = 1 };
        var a = await DiffusionSampler.Create(fused, fusedPackage.Manifest).SampleAsync(canvas, options);
        var b = await DiffusionSampler.Create(plain, plainPackage.Manifest).SampleAsync(canvas, options);
        Assert.Equal(padded ? 2 : 1, a.Sequences.Count);
        for (int r = 0; r < a.Sequences.Count; r++)
        {
            Assert.Equal(b.Sequences[r].Tokens, a.Sequences[r].Tokens);
        }
    }

    /// <summary>Runs once with profiling on; returns the result and the names of the MultiHeadAttention nodes that ran.</summary>
    private static (PackageRunResult Result, HashSet<string> Attention) RunProfiled(string package, string prefix, Func<PackageRunner, PackageRunResult> run)
    {
        // The prefix is read when profiling is enabled, so it is set first.
        using var options = new SessionOptions { ProfileOutputPathPrefix = prefix, EnableProfiling = true };
        PackageRunResult result;
        string profile;
        using (var runner = new PackageRunner(package, options))
        {
            result = run(runner);
            profile = runner.EndProfiling();
        }

        using var json = JsonDocument.Parse(File.ReadAllText(profile));
        var names = json.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("cat", out var cat) && cat.GetString() == "Node" && e.TryGetProperty("args", out var a)
                && a.TryGetProperty("op_name", out var op) && op.GetString() == "MultiHeadAttention")
            .Select(e => e.GetProperty("name").GetString()!)
            .Where(n => n.EndsWith("_kernel_time", StringComparison.Ordinal))
            .Select(n => n[..^"_kernel_time".Length])
            .ToHashSet();
        return (result, names);
    }

    private static IEnumerable<Onnx.NodeProto> AllNodes(Onnx.GraphProto graph) =>
        graph.Node.SelectMany(n => n.Attribute.Where(a => a.G is not null).SelectMany(a => AllNodes(a.G)).Prepend(n));

    private static Onnx.GraphProto Branch(Onnx.NodeProto node, string name) => node.Attribute.Single(a => a.Name == name).G;
}
