using System.Text.Json;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tests.Conformance;

/// <summary>The embedded model loaded once for the conformance suite; each test wraps its denoiser to observe it.</summary>
public sealed class EmbeddedChatFixture : IDisposable
{
    public EmbeddedChatFixture()
    {
        Package = ModelPackage.Load(EmbeddedModel.PackageDirectory);
        Denoiser = OnnxDenoiser.Create(Package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
    }

    public static string PackageDirectory => EmbeddedModel.PackageDirectory;

    public ModelPackage Package { get; }

    public OnnxDenoiser Denoiser { get; }

    /// <summary>A model over an observed view of the shared denoiser.</summary>
    internal (DiffusionModel Model, ObservingDenoiser Denoiser) Observed(int maxConcurrentRequests = 1)
    {
        var observing = new ObservingDenoiser(Denoiser);
        return (DiffusionModel.Create(Package, observing, ownsDenoiser: false, maxConcurrentRequests), observing);
    }

    /// <summary>A client over the shared denoiser.</summary>
    internal DiffusionChatClient Client(int maxConcurrentRequests = 1) => new(Observed(maxConcurrentRequests).Model);

    /// <summary>The known-good (prompt, answer length, answer) cases of <c>models/eval/known-good.json</c>.</summary>
    public static IReadOnlyList<KnownGood> KnownGoodCases()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "known-good.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("generations").Deserialize<List<KnownGood>>(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
    }

    public void Dispose() => Denoiser.Dispose();
}

/// <summary>A known-good generation of the embedded model.</summary>
public sealed record KnownGood(string Prompt, int AnswerLength, string Answer);

/// <summary>The conformance suite shares one loaded model and runs its classes one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<EmbeddedChatFixture>
{
    public const string Name = "Conformance";
}
