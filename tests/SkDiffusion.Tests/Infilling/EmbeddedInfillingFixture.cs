using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.Extensions.AI;

namespace SkDiffusion.Tests.Infilling;

/// <summary>The embedded model behind an infilling service, loaded once for a test class (CPU, one thread).</summary>
public sealed class EmbeddedInfillingFixture : IDisposable
{
    public EmbeddedInfillingFixture()
    {
        Model = DiffusionModel.Load(EmbeddedModel.PackageDirectory, new DiffusionModelOptions { Denoiser = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 } });
        Service = DiffusionInfillingService.Create(Model);
    }

    public DiffusionModel Model { get; }

    public DiffusionInfillingService Service { get; }

    public void Dispose() => Model.Dispose();
}
