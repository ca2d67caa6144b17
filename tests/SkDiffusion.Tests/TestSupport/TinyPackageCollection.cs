namespace SkDiffusion.Tests.TestSupport;

/// <summary>Shares one <see cref="TinyPackages"/> among the runtime tests.</summary>
[CollectionDefinition(Name)]
public sealed class TinyPackageCollection : ICollectionFixture<TinyPackages>
{
    /// <summary>The collection name.</summary>
    public const string Name = "Tiny runtime packages";
}
