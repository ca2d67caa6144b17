using SkDiffusion.Chat;
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

    /// <summary>A single user turn in the package's chat format.</summary>
    public IReadOnlyList<int> Prompt(string text) =>
        Package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, text)]);

    public void Dispose() => Denoiser.Dispose();
}
