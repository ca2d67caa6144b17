using SkDiffusion.Chat;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

/// <summary>The builder's packages load with their architecture and chat format; a missing folder and the checksum options.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class ModelPackageTests(TinyPackages packages)
{
    [Fact]
    public void LoadsTheBuildersLladaPackage()
    {
        ModelPackage package = ModelPackage.Load(packages.LladaDirectory);

        Assert.Equal("llada", package.Manifest.Architecture);
        Assert.Equal(320, package.Manifest.VocabSize);
        Assert.Equal(Path.GetFullPath(packages.LladaDirectory), package.Directory);
        Assert.IsType<Llama3ChatFormat>(package.ChatFormat);
        Assert.Equal(package.Manifest.TokenIds.Mask, package.Tokenizer.MaskId);
    }

    [Fact]
    public async Task LoadsTheBuildersDreamPackage()
    {
        ModelPackage package = await ModelPackage.LoadAsync(packages.DreamDirectory);

        Assert.Equal("dream", package.Manifest.Architecture);
        Assert.True(package.Manifest.LogitsShifted);
        Assert.IsType<ChatMlChatFormat>(package.ChatFormat);
    }

    [Fact]
    public void MissingFolderIsReported()
    {
        string path = Path.Combine(Path.GetTempPath(), "skd-missing-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(path));
        Assert.Equal(Path.GetFullPath(path), ex.FilePath);
    }

    [Fact]
    public void FlippedByteFailsTheChecksumUnlessChecksumsAreOff()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        string model = copy.PathOf("model.onnx");
        byte[] bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(model, bytes);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(model, ex.FilePath);
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);

        Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory, new ModelPackageOptions { ChecksumSizeLimitBytes = bytes.Length }));
        ModelPackage.Load(copy.Directory, new ModelPackageOptions { VerifyChecksums = false });
        ModelPackage.Load(copy.Directory, new ModelPackageOptions { ChecksumSizeLimitBytes = bytes.Length - 1 });
    }
}
