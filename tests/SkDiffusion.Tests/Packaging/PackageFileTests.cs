using System.Security.Cryptography;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

/// <summary>
/// Package files beyond the damage table of <see cref="Reliability.BadPackageCases"/>: a sharded Dream checkpoint, a file
/// path instead of a folder, asynchronous loading, external weight data and a graph built without a cache.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class PackageFileTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public void DreamPackageFromShardedCheckpointLoads()
    {
        ModelPackage package = ModelPackage.Load(packages.DreamDirectory);

        Assert.Equal(304, package.Manifest.VocabSize);
        Assert.Equal(2, package.Manifest.NumKvHeads);
        Assert.Equal(293, package.Tokenizer.MaskId);
        Assert.Equal(Path.Combine(Path.GetFullPath(packages.DreamDirectory), "model.onnx"), package.ModelPath);
    }

    [Fact]
    public void PathToAFileInsteadOfAFolderIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.ManifestPath));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("not a model package folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsyncReportsTheSameErrors()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        File.Delete(copy.PathOf("vocab.json"));

        var ex = await Assert.ThrowsAsync<ModelPackageException>(() => ModelPackage.LoadAsync(copy.Directory));
        Assert.Equal(copy.PathOf("vocab.json"), ex.FilePath);
        Assert.Contains("vocab.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsyncHonoursAPreCancelledToken()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ModelPackage.LoadAsync(packages.LladaDirectory, cancellationToken: cts.Token));
    }

    [Fact]
    public void TruncatedExternalDataIsReported()
    {
        // The tiny graphs embed their weights, so declare a model_data file the way a large package would, then cut it short.
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        byte[] data = new byte[4096];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(copy.PathOf("model.onnx.data"), data);
        copy.EditManifest(m =>
        {
            m["files"]!["model_data"] = "model.onnx.data";
            m["file_sizes"]!["model.onnx.data"] = data.Length;
            m["sha256"]!["model.onnx.data"] = Convert.ToHexStringLower(SHA256.HashData(data));
        });
        ModelPackage.Load(copy.Directory);

        File.WriteAllBytes(copy.PathOf("model.onnx.data"), data[..1000]);
        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("model.onnx.data"), ex.FilePath);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4096", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestClaimingACacheOnANoCacheGraphIsReported()
    {
        string noCache = Path.Combine(Path.GetDirectoryName(packages.Copy(packages.LladaDirectory).Directory)!, "no-cache");
        ModelManifest built = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = TinyPackages.FindFixture("tiny-llada"),
            OutputDirectory = noCache,
            IncludeCache = false,
        });
        Assert.False(built.HasCache);
        using (OnnxDenoiser ok = OnnxDenoiser.Create(ModelPackage.Load(noCache), Cpu))
        {
            Assert.Equal(320, ok.VocabularySize);
        }

        var copy = new PackageCopy(noCache);
        copy.EditManifest(m => m["has_cache"] = true);
        ModelPackage package = ModelPackage.Load(noCache);

        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));

        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("has_cache", ex.Message, StringComparison.Ordinal);
    }
}
