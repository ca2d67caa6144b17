using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// The whole-cache (masking) path on the random-weight tiny packages, including Dream's shifted logits, whose window
/// starts one position early: random logits leave no confident margin, so any leak of a stale key shows up.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class DeviceResidentTinyCacheTests(TinyPackages packages)
{
    [Theory]
    [InlineData("llada", CacheMode.Prefix)]
    [InlineData("llada", CacheMode.Dual)]
    [InlineData("dream", CacheMode.Prefix)]
    [InlineData("dream", CacheMode.Dual)]
    public async Task AWholeCacheDecodesAsTheTrimmedCache(string model, CacheMode mode)
    {
        ModelPackage package = model == "dream" ? packages.Dream : packages.Llada;
        using OnnxDenoiser denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        int[] shortPrompt = [5, 6, 7];
        int[] longPrompt = [5, 9, 11, 13, 6, 7];
        var canvas = DiffusionCanvas.CreateBuilder().Add(longPrompt, 12).Add(shortPrompt, 12).Build();
        var options = new SamplerOptions { Steps = 12, BlockLength = 4, CacheMode = mode, MaxDegreeOfParallelism = 1 };

        var (_, _, device) = await DeviceResidencyDenoiser.DecodeBothWaysAsync(denoiser, package.Manifest, canvas, options);
        Assert.Equal(3, device.Presents);
    }
}
