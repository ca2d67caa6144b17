using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

/// <summary>A package file that exists but cannot be read is a <see cref="ModelPackageException"/>, not a raw I/O error.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class UnreadablePackageTests(TinyPackages packages)
{
    [Fact]
    public void AFileLockedByAnotherWriterIsReportedAsAPackageError()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        using (var writer = new FileStream(copy.ManifestPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
            Assert.Contains("cannot be read", error.Message);
            Assert.IsAssignableFrom<IOException>(error.InnerException);
        }

        Assert.NotNull(ModelPackage.Load(copy.Directory).Manifest);
    }
}
