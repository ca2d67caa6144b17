using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Denoising;

/// <summary><see cref="OnnxDenoiserOptions.SaveOptimizedModel"/>: the optimised graph is saved on the first load and reused.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class OptimizedModelTests(TinyPackages packages)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FirstLoadSavesTheOptimisedGraphAndLaterLoadsReuseIt(bool dream)
    {
        var copy = packages.Copy(dream ? packages.DreamDirectory : packages.LladaDirectory);
        ModelPackage package = await ModelPackage.LoadAsync(copy.Directory);
        var warnings = new List<string>();
        var options = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1, SaveOptimizedModel = true, Warning = warnings.Add };
        string saved = OptimizedModelCache.CachePath(package, options.GraphOptimizationLevel);
        Assert.False(File.Exists(saved));

        long[] ids = OnnxDenoiserTests.Canvas(package, 2, 9);
        long[] mask = Enumerable.Repeat(1L, 18).ToArray();
        mask[0] = mask[1] = 0;
        float[] Logits(DenoiserOutput output) => [.. Enumerable.Range(0, 2).SelectMany(r => Enumerable.Range(0, 9).SelectMany(p => output.GetLogits(r, p).ToArray()))];

        float[] reference;
        using (var plain = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 }))
        using (var output = await plain.DenoiseAsync(new DenoiserInput(ids, 2, 9, mask)))
        {
            reference = Logits(output);
        }

        Assert.False(File.Exists(saved));
        using (OnnxDenoiser.Create(package, options))
        {
        }

        Assert.True(File.Exists(saved), $"{saved} was not written");
        Assert.False(File.Exists(saved + ".partial"));
        DateTime written = File.GetLastWriteTimeUtc(saved);

        using (var reused = OnnxDenoiser.Create(package, options))
        using (var output = await reused.DenoiseAsync(new DenoiserInput(ids, 2, 9, mask)))
        {
            float[] logits = Logits(output);
            Assert.All(Enumerable.Range(0, logits.Length), i => Assert.True(Math.Abs(logits[i] - reference[i]) <= 1e-5f, $"logit {i}: {logits[i]} vs {reference[i]}"));
        }

        Assert.Equal(written, File.GetLastWriteTimeUtc(saved));
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task ACorruptSavedGraphIsReplacedWithAWarning()
    {
        var copy = packages.Copy(packages.LladaDirectory);
        ModelPackage package = await ModelPackage.LoadAsync(copy.Directory);
        var warnings = new List<string>();
        var options = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1, SaveOptimizedModel = true, Warning = warnings.Add };
        string saved = OptimizedModelCache.CachePath(package, options.GraphOptimizationLevel);
        File.WriteAllBytes(saved, [1, 2, 3]);

        using (var denoiser = OnnxDenoiser.Create(package, options))
        using (var output = await denoiser.DenoiseAsync(new DenoiserInput(OnnxDenoiserTests.Canvas(package, 1, 6), 1, 6)))
        {
            Assert.True(float.IsFinite(output.GetLogits(0, 0)[0]));
        }

        Assert.Contains(warnings, w => w.Contains("does not load", StringComparison.Ordinal));
        Assert.True(new FileInfo(saved).Length > 3);
    }
}
