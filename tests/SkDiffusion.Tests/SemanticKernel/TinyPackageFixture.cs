using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.ModelBuilder;

namespace SkDiffusion.Tests.SemanticKernel;

/// <summary>Builds the tiny LLaDA test package (random weights, 64-token context) once for the connector tests.</summary>
public sealed class TinyPackageFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    /// <summary>The package folder.</summary>
    public string PackageDirectory => _temp.Combine("tiny-llada");

    /// <summary>The loaded package.</summary>
    public ModelPackage Package { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = PackageDirectory });
        Package = ModelPackage.Load(PackageDirectory);
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
