using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tests.Equivalence;

/// <summary>The embedded default model, loaded once for a test class.</summary>
public sealed class EmbeddedModelFixture : IDisposable
{
    public EmbeddedModelFixture()
    {
        Package = ModelPackage.Load(EmbeddedModel.PackageDirectory);
        Denoiser = OnnxDenoiser.Create(Package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
    }

    public ModelPackage Package { get; }

    public OnnxDenoiser Denoiser { get; }

    public void Dispose() => Denoiser.Dispose();
}
