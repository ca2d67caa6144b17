using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Selection;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary>The <c>logits_positions</c> input: the head runs only where the sampler reads logits, with the same numbers.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class LogitsPositionsTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public void BuilderPackagesTakeLogitsPositionsByDefault()
    {
        Assert.True(packages.Llada.Manifest.LogitsPositions);
        Assert.True(packages.Dream.Manifest.LogitsPositions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SelectedLogitsEqualTheFullPassIncludingLeftPadding(bool dream)
    {
        ModelPackage package = dream ? packages.Dream : packages.Llada;
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(package, Cpu);
        const int s = 10, padding = 3;
        long[] ids = OnnxDenoiserTests.Canvas(package, 2, s);
        long[] mask = Enumerable.Repeat(1L, 2 * s).ToArray();
        for (int p = 0; p < padding; p++)
        {
            ids[p] = package.Manifest.TokenIds.Pad;
            mask[p] = 0;
        }

        // Row 0: its first real position, an inner one and the last; row 1: three others (one repeated as padding).
        int[] positions = [padding, 6, 9, 0, 5, 5];
        using DenoiserOutput full = await denoiser.DenoiseAsync(new DenoiserInput(ids, 2, s, mask));
        using DenoiserOutput some = await denoiser.DenoiseAsync(new DenoiserInput(ids, 2, s, mask, positions));
        Assert.Equal(3, some.PositionsPerRow);
        Assert.Equal(s, some.SequenceLength);
        for (int i = 0; i < positions.Length; i++)
        {
            int row = i / 3;
            float[] expected = full.GetLogits(row, positions[i]).ToArray();
            float[] actual = some.GetLogits(row, positions[i]).ToArray();
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-4f, $"row {row}, position {positions[i]}, logit {k}: {expected[k]} vs {actual[k]}");
            }
        }

        Assert.False(some.HasLogits(0, 4));
        Assert.True(some.HasLogits(1, 5));
        var error = Assert.Throws<InvalidOperationException>(() => some.GetLogits(0, 4));
        Assert.Contains("LogitsPositions", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GatheringPackageEqualsAnAllLogitsPackage(bool dream)
    {
        ModelPackage package = dream ? packages.Dream : packages.Llada;
        string dir = Path.Combine(Path.GetTempPath(), "skd-all-" + Guid.NewGuid().ToString("N"));
        try
        {
            await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = TinyPackages.FindFixture(dream ? "tiny-dream" : "tiny-llada"), OutputDirectory = dir, LogitsPositions = false });
            ModelPackage all = await ModelPackage.LoadAsync(dir);
            Assert.False(all.Manifest.LogitsPositions);
            using OnnxDenoiser gathering = OnnxDenoiser.Create(package, Cpu);
            using OnnxDenoiser plain = OnnxDenoiser.Create(all, Cpu);
            long[] ids = OnnxDenoiserTests.Canvas(package, 1, 12);
            using DenoiserOutput a = await gathering.DenoiseAsync(new DenoiserInput(ids, 1, 12, default, new[] { 11, 2, 7 }));
            using DenoiserOutput b = await plain.DenoiseAsync(new DenoiserInput(ids, 1, 12, default, new[] { 11, 2, 7 }));
            Assert.Equal(12, b.PositionsPerRow);
            foreach (int p in new[] { 11, 2, 7 })
            {
                float[] x = a.GetLogits(0, p).ToArray(), y = b.GetLogits(0, p).ToArray();
                Assert.All(Enumerable.Range(0, x.Length), k => Assert.True(Math.Abs(x[k] - y[k]) <= 1e-4f, $"position {p}, logit {k}"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task SamplerOnGatheredLogitsDecodesTheSameTokensAsOnFullLogits()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        var full = new FullLogitsDenoiser(denoiser);
        long[] prompt = OnnxDenoiserTests.Canvas(packages.Llada, 1, 8)[..4];
        var canvas = DiffusionCanvas.CreateBuilder().Add(prompt.Select(x => (int)x).ToArray(), 12).Add(prompt[..2].Select(x => (int)x).ToArray(), 12).Build();
        var options = new SamplerOptions { Steps = 12, BlockLength = 4, Selection = SelectionRule.Schedule, MaxDegreeOfParallelism = 1 };
        var gathered = await DiffusionSampler.Create(denoiser, packages.Llada.Manifest).SampleAsync(canvas, options);
        var reference = await DiffusionSampler.Create(full, packages.Llada.Manifest).SampleAsync(canvas, options);
        for (int r = 0; r < 2; r++)
        {
            Assert.Equal(reference.Sequences[r].Tokens, gathered.Sequences[r].Tokens);
        }

        // Every step asked for at most one block of positions per row, never the whole canvas.
        Assert.NotEmpty(full.Asked);
        Assert.All(full.Asked, k => Assert.InRange(k, 1, 4));
    }

    [Fact]
    public async Task WithGuidanceTheUnconditionalRowsGetTheSamePositions()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        var full = new FullLogitsDenoiser(denoiser);
        int[] prompt = [.. OnnxDenoiserTests.Canvas(packages.Llada, 1, 8)[..4].Select(x => (int)x)];
        var canvas = DiffusionCanvas.CreateBuilder().Add(prompt, 8).Add(prompt[..3], 8).Build();
        var options = new SamplerOptions { Steps = 8, BlockLength = 4, CfgScale = 1.5, MaxDegreeOfParallelism = 1 };
        var gathered = await DiffusionSampler.Create(denoiser, packages.Llada.Manifest).SampleAsync(canvas, options);
        var reference = await DiffusionSampler.Create(full, packages.Llada.Manifest).SampleAsync(canvas, options);
        Assert.Equal(reference.Sequences[0].Tokens, gathered.Sequences[0].Tokens);
        Assert.Equal(reference.Sequences[1].Tokens, gathered.Sequences[1].Tokens);
        Assert.All(full.Asked, k => Assert.InRange(k, 1, 4));
    }

    [Fact]
    public void InputRejectsPositionsOutsideTheRowOrUnevenRows()
    {
        long[] ids = new long[8];
        var outside = Assert.Throws<ArgumentException>(() => new DenoiserInput(ids, 2, 4, default, new[] { 0, 4 }));
        Assert.Contains("outside the row", outside.Message);
        var uneven = Assert.Throws<ArgumentException>(() => new DenoiserInput(ids, 2, 4, default, new[] { 0, 1, 2 }));
        Assert.Contains("same count", uneven.Message);
    }

    [Fact]
    public void AManifestThatHidesTheLogitsPositionsInputIsRefused()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["logits_positions"] = false);
        ModelPackage package = ModelPackage.Load(copy.Directory);
        var error = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));
        Assert.Contains("logits_positions", error.Message);
    }

    [Fact]
    public async Task DreamCachedRunOfALeftPaddedRowMatchesTheUncachedRun()
    {
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(packages.Dream, Cpu);
        const int s = 9, padding = 3;
        long[] ids = OnnxDenoiserTests.Canvas(packages.Dream, 1, s);
        long[] mask = Enumerable.Repeat(1L, s).ToArray();
        long[] positions = new long[s];
        for (int p = 0; p < s; p++)
        {
            if (p < padding)
            {
                ids[p] = packages.Dream.Manifest.TokenIds.Pad;
                mask[p] = 0;
            }

            positions[p] = Math.Max(0, p - padding);
        }

        using DenoiserOutput plain = await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, s, mask));
        using CachedDenoiserOutput cached = await denoiser.DenoiseWithCacheAsync(new CachedDenoiserInput(ids, positions, mask, 1, s, null, false));
        for (int p = padding; p < s; p++)
        {
            float[] x = plain.GetLogits(0, p).ToArray(), y = cached.Logits.GetLogits(0, p).ToArray();
            Assert.All(Enumerable.Range(0, x.Length), k => Assert.True(Math.Abs(x[k] - y[k]) <= 1e-4f, $"position {p}, logit {k}: {x[k]} vs {y[k]}"));
        }
    }

    /// <summary>Records how many positions each step asked for, then runs the full pass.</summary>
    private sealed class FullLogitsDenoiser(IDenoiser inner) : IDenoiser
    {
        public List<int> Asked { get; } = [];

        public int VocabularySize => inner.VocabularySize;

        public int MaxSequenceLength => inner.MaxSequenceLength;

        public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
        {
            Asked.Add(input.LogitsPerRow);
            return inner.DenoiseAsync(new DenoiserInput(input.TokenIds, input.BatchSize, input.SequenceLength, input.AttentionMask), cancellationToken);
        }

        public void Dispose()
        {
        }
    }
}
