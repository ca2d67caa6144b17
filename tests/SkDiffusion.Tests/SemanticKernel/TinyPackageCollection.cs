namespace SkDiffusion.Tests.SemanticKernel;

/// <summary>Shares one built tiny package between the connector test classes.</summary>
[CollectionDefinition(Name)]
public sealed class TinyPackageCollection : ICollectionFixture<TinyPackageFixture>
{
    /// <summary>The collection name.</summary>
    public const string Name = "tiny-package";
}
