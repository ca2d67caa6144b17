using System.Text.Json.Nodes;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

/// <summary>
/// Manifest checks that come with an option or an accepted counterpart: the size limit, checksums off, unknown and
/// optional keys. The refused field values are rows of <see cref="Reliability.BadPackageCases"/>.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class ManifestValidationTests(TinyPackages packages)
{
    [Fact]
    public void OversizedManifestIsRefusedBeforeParsing()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.AppendAllText(copy.ManifestPath, new string(' ', 4096));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory, new ModelPackageOptions { MaxManifestBytes = 2048 }));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("2048", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);

        // The default limit (1 MiB) accepts the same padded manifest.
        ModelPackage.Load(copy.Directory);
    }

    [Fact]
    public void UnknownManifestKeysAreIgnored()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m => m["future_key"] = new JsonObject { ["x"] = 1 });

        Assert.Equal("dream", ModelPackage.Load(copy.Directory).Manifest.Architecture);
    }

    [Fact]
    public void FileWithoutAHashEntryIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["sha256"]!.AsObject().Remove("vocab.json"));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.json", ex.Message, StringComparison.Ordinal);
        ModelPackage.Load(copy.Directory, new ModelPackageOptions { VerifyChecksums = false });
    }

    [Fact]
    public void MissingOptionalKeysAreAccepted()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m =>
        {
            m["files"]!.AsObject().Remove("model_data");
            m["token_ids"]!.AsObject().Remove("bos");
        });

        ModelPackage package = ModelPackage.Load(copy.Directory);
        Assert.Null(package.Manifest.Files.ModelData);
        Assert.Null(package.Manifest.TokenIds.Bos);
    }
}
