using SkDiffusion.ModelBuilder;
using SkDiffusion.ModelBuilder.Graph;
using Xunit.Abstractions;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>
/// Builds the tiny LLaDA and Dream fixtures and compares ONNX Runtime (CPU) logits with the PyTorch golden outputs.
/// Tolerance: max|onnx - golden| &lt;= tol * max(1, max|golden|) over the whole logits tensor (padded rows included),
/// with tol = 1e-4 for float32 and 1e-2 for float16 weights. Each graph test runs on the fused graph (ONNX Runtime's
/// fused attention, rotary and norm kernels) and on the plain one (<see cref="PackageBuildOptions.FusedGraph"/> off).
/// </summary>
public sealed class GoldenParityTests(ITestOutputHelper output)
{
    private const double Float32Tolerance = 1e-4;
    private const double Float16Tolerance = 1e-2;

    [Theory]
    [InlineData("tiny-llada", true)]
    [InlineData("tiny-dream", true)]
    [InlineData("tiny-llada", false)]
    [InlineData("tiny-dream", false)]
    public async Task Float32MatchesGoldenAndCacheSplit(string fixture, bool fused)
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture(fixture), OutputDirectory = package, FusedGraph = fused });
        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        using var runner = new PackageRunner(package);
        var m = runner.Manifest;
        Assert.Equal(golden.Vocab, m.VocabSize);

        var full = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
        var (maxAbs, maxGolden) = TensorCompare.Measure(full.Logits, golden.Logits);
        output.WriteLine($"{fixture} fused={fused} fp32 full pass: max abs error {maxAbs:E3}, max |golden| {maxGolden:F3}, relative {maxAbs / Math.Max(1, maxGolden):E3}");
        Assert.True(maxAbs <= Float32Tolerance * Math.Max(1, maxGolden), $"max abs error {maxAbs} exceeds {Float32Tolerance} * max(1, {maxGolden})");
        Assert.Equal(new long[] { golden.Batch, m.NumKvHeads, golden.Sequence, m.HeadDim }, full.PresentShape);

        // Cache split: hold positions < P as past, run P..S-1 against it, compare with the full pass and with golden.
        int p = golden.CacheSplit, s = golden.Sequence, b = golden.Batch, rest = s - p;
        var pastKeys = full.PresentKeys.Select(k => TensorCompare.SlicePast(k, b, m.NumKvHeads, s, m.HeadDim, p)).ToArray();
        var pastValues = full.PresentValues.Select(v => TensorCompare.SlicePast(v, b, m.NumKvHeads, s, m.HeadDim, p)).ToArray();
        var ids = TensorCompare.SliceMiddle(golden.InputIds.Select(x => (float)x).ToArray(), b, s, 1, p, s).Select(x => (long)x).ToArray();
        var positions = TensorCompare.SliceMiddle(golden.PositionIds.Select(x => (float)x).ToArray(), b, s, 1, p, s).Select(x => (long)x).ToArray();
        var split = runner.Run(ids, positions, golden.AttentionMask, b, rest, p, pastKeys, pastValues);

        var fullTail = TensorCompare.SliceMiddle(full.Logits, b, s, golden.Vocab, p, s);
        var goldenTail = TensorCompare.SliceMiddle(golden.Logits, b, s, golden.Vocab, p, s);
        var (splitVsFull, tailMax) = TensorCompare.Measure(split.Logits, fullTail);
        var (splitVsGolden, _) = TensorCompare.Measure(split.Logits, goldenTail);
        output.WriteLine($"{fixture} fused={fused} cache split P={p}: max abs vs full pass {splitVsFull:E3}, vs golden {splitVsGolden:E3}");
        Assert.True(splitVsFull <= 1e-5 * Math.Max(1, tailMax), $"cache split differs from the full pass by {splitVsFull}");
        Assert.True(splitVsGolden <= Float32Tolerance * Math.Max(1, maxGolden), $"cache split differs from golden by {splitVsGolden}");
        Assert.Equal(new long[] { b, m.NumKvHeads, s, m.HeadDim }, split.PresentShape);

        // The present returned by the split run is the past followed by the new keys: equal to the full pass's present.
        for (int i = 0; i < m.NumLayers; i++)
        {
            Assert.True(TensorCompare.Measure(split.PresentKeys[i], full.PresentKeys[i]).MaxAbs <= 1e-5);
            Assert.True(TensorCompare.Measure(split.PresentValues[i], full.PresentValues[i]).MaxAbs <= 1e-5);
        }
    }

    [Theory]
    [InlineData("tiny-llada", true)]
    [InlineData("tiny-dream", true)]
    [InlineData("tiny-llada", false)]
    [InlineData("tiny-dream", false)]
    public async Task Float16MatchesGoldenLoosely(string fixture, bool fused)
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        var manifest = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture(fixture),
            OutputDirectory = package,
            Precision = ModelPrecision.Float16,
            FusedGraph = fused,
        });
        Assert.Equal("float16", manifest.DType);
        Assert.Equal("float32", manifest.KvDType);
        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        using var runner = new PackageRunner(package);
        var full = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
        var (maxAbs, maxGolden) = TensorCompare.Measure(full.Logits, golden.Logits);
        output.WriteLine($"{fixture} fp16: max abs error {maxAbs:E3}, relative {maxAbs / Math.Max(1, maxGolden):E3}");
        Assert.True(maxAbs <= Float16Tolerance * Math.Max(1, maxGolden), $"fp16 max abs error {maxAbs}");
    }

    [Theory]
    [InlineData("tiny-llada", true)]
    [InlineData("tiny-dream", true)]
    [InlineData("tiny-llada", false)]
    [InlineData("tiny-dream", false)]
    public async Task Float16ComputeMatchesGoldenAndCacheSplit(string fixture, bool fused)
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        var manifest = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture(fixture),
            OutputDirectory = package,
            Precision = ModelPrecision.Float16,
            ComputeInFloat16 = true,
            FusedGraph = fused,
        });
        Assert.Equal(("float16", "float16"), (manifest.DType, manifest.KvDType));
        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        using var runner = new PackageRunner(package);
        var full = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
        var (maxAbs, maxGolden) = TensorCompare.Measure(full.Logits, golden.Logits);
        output.WriteLine($"{fixture} fp16 compute: max abs error {maxAbs:E3}, relative {maxAbs / Math.Max(1, maxGolden):E3}");
        Assert.True(maxAbs <= Float16Tolerance * Math.Max(1, maxGolden), $"fp16-compute max abs error {maxAbs}");

        int p = golden.CacheSplit, s = golden.Sequence, b = golden.Batch, m = manifest.NumKvHeads, d = manifest.HeadDim;
        var ids = golden.InputIds.Where((_, i) => i % s >= p).ToArray();
        var positions = golden.PositionIds.Where((_, i) => i % s >= p).ToArray();
        var split = runner.Run(ids, positions, golden.AttentionMask, b, s - p, p,
            full.PresentKeys.Select(k => TensorCompare.SlicePast(k, b, m, s, d, p)).ToArray(),
            full.PresentValues.Select(v => TensorCompare.SlicePast(v, b, m, s, d, p)).ToArray());
        var (splitVsGolden, _) = TensorCompare.Measure(split.Logits, TensorCompare.SliceMiddle(golden.Logits, b, s, golden.Vocab, p, s));
        output.WriteLine($"{fixture} fp16 compute cache split P={p}: max abs vs golden {splitVsGolden:E3}");
        Assert.True(splitVsGolden <= Float16Tolerance * Math.Max(1, maxGolden), $"fp16-compute cache split error {splitVsGolden}");
    }

    [Theory]
    [InlineData("tiny-llada", true)]
    [InlineData("tiny-dream", true)]
    [InlineData("tiny-llada", false)]
    [InlineData("tiny-dream", false)]
    public async Task NoCacheGraphMatchesGolden(string fixture, bool fused)
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        var manifest = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture(fixture),
            OutputDirectory = package,
            IncludeCache = false,
            FusedGraph = fused,
        });
        Assert.False(manifest.HasCache);
        var golden = GoldenOutputs.Load(FixturePaths.Fixture(fixture));
        using var runner = new PackageRunner(package);
        Assert.DoesNotContain(runner.InputNames, n => n.StartsWith("past_key_values", StringComparison.Ordinal));
        Assert.Equal(["logits"], runner.OutputNames);
        var full = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
        var (maxAbs, maxGolden) = TensorCompare.Measure(full.Logits, golden.Logits);
        Assert.True(maxAbs <= Float32Tolerance * Math.Max(1, maxGolden), $"max abs error {maxAbs}");
    }

    [Fact]
    public void SplitFloat16HeadMatchesUnsplit()
    {
        // Large float16 matrices are split so that ONNX Runtime can fold each Cast; force the split on the tiny head.
        using var temp = new TempDirectory();
        var golden = GoldenOutputs.Load(FixturePaths.Fixture("tiny-dream"));
        float[] Run(long splitBytes)
        {
            string package = temp.Combine("p" + splitBytes);
            PackageBuilder.BuildAsync(new PackageBuildOptions
            {
                CheckpointDirectory = FixturePaths.Fixture("tiny-dream"),
                OutputDirectory = package,
                Precision = ModelPrecision.Float16,
                HalfMatrixSplitBytes = splitBytes,
            }).GetAwaiter().GetResult();
            using var runner = new PackageRunner(package);
            return runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence).Logits;
        }

        var split = Run(304 * 32 * 4 / 3);
        var whole = Run(GraphBuildSettings.DefaultHalfMatrixSplitBytes);
        Assert.True(TensorCompare.Measure(split, whole).MaxAbs <= 1e-6);
    }

    [Fact]
    public async Task ExternalDataPackageMatchesGolden()
    {
        // A long context makes the rotary tables (2 x 80,000 x head_dim / 2 floats in the fused graph) exceed the embedding threshold, so weights go to model.onnx.data.
        using var temp = new TempDirectory();
        string package = temp.Combine("package");
        var manifest = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture("tiny-dream"),
            OutputDirectory = package,
            ContextLength = 80_000,
        });
        Assert.Equal("model.onnx.data", manifest.Files.ModelData);
        Assert.Equal(80_000, manifest.ContextLength);
        Assert.True(new FileInfo(Path.Combine(package, "model.onnx.data")).Length > PackageBuilder.ExternalDataThreshold);
        Assert.True(new FileInfo(Path.Combine(package, "model.onnx")).Length < 200_000);
        var golden = GoldenOutputs.Load(FixturePaths.Fixture("tiny-dream"));
        using var runner = new PackageRunner(package);
        var full = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
        var (maxAbs, maxGolden) = TensorCompare.Measure(full.Logits, golden.Logits);
        Assert.True(maxAbs <= Float32Tolerance * Math.Max(1, maxGolden), $"max abs error {maxAbs}");
    }

    [Theory]
    [InlineData("BF16", 3e-2)]
    [InlineData("F16", 1e-2)]
    public async Task HalfPrecisionCheckpointsConvert(string dtype, double tolerance)
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        string weights = Path.Combine(checkpoint, "model.safetensors");
        var tensors = SafetensorsTestWriter.Read(weights).ToDictionary(t => t.Key, t => SafetensorsTestWriter.Narrow(t.Value, dtype));
        SafetensorsTestWriter.Write(weights, tensors);

        string package = temp.Combine("package");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = package });
        var golden = GoldenOutputs.Load(FixturePaths.Fixture("tiny-llada"));
        using var runner = new PackageRunner(package);
        var full = runner.Run(golden.InputIds, golden.PositionIds, golden.AttentionMask, golden.Batch, golden.Sequence);
        var (maxAbs, maxGolden) = TensorCompare.Measure(full.Logits, golden.Logits);
        output.WriteLine($"{dtype} checkpoint: max abs error {maxAbs:E3}, relative {maxAbs / Math.Max(1, maxGolden):E3}");
        Assert.True(maxAbs <= tolerance * Math.Max(1, maxGolden), $"{dtype} max abs error {maxAbs}");
    }
}
