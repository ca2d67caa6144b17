using SkDiffusion.Denoising;
using SkDiffusion.Remote;
using SkDiffusion.Remote.Server;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Remote;

/// <summary>Starts hosts on a free loopback port and connects clients to them.</summary>
internal static class RemoteTestSupport
{
    public static RemoteDenoiserOptions ClientOptions(RemoteDenoiserHost host, SequenceCacheMode mode = SequenceCacheMode.Auto) => new()
    {
        Endpoint = host.Address,
        ModelName = host.ModelName,
        Deadline = TimeSpan.FromSeconds(20),
        SequenceCache = mode,
    };

    public static DiffusionCanvas Canvas(EmbeddedModelFixture model, string question, int answer = 16) =>
        DiffusionCanvas.FromPrompt(model.Prompt(question), answer);

    public static SamplerOptions Options(CacheMode mode, int steps = 16) => new() { Steps = steps, BlockLength = 4, CacheMode = mode, MaxDegreeOfParallelism = 1 };

    public static async Task<IReadOnlyList<int>> DecodeAsync(IDenoiser denoiser, EmbeddedModelFixture model, DiffusionCanvas canvas, CacheMode mode, int steps = 16)
    {
        SamplingResult result = await DiffusionSampler.Create(denoiser, model.Package.Manifest).SampleAsync(canvas, Options(mode, steps));
        Assert.True(result.FinishReason is FinishReason.Completed or FinishReason.Eos, $"finish {result.FinishReason}");
        return result.Sequences[0].Tokens;
    }
}

/// <summary>An <see cref="IDenoiser"/> without cached runs, so a host over it keeps no sequences (as Triton's ONNX backend).</summary>
internal sealed class PlainDenoiser(IDenoiser inner, TimeSpan delay = default) : IDenoiser
{
    public int VocabularySize => inner.VocabularySize;

    public int MaxSequenceLength => inner.MaxSequenceLength;

    public int Calls;

    public async ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return await inner.DenoiseAsync(input, cancellationToken);
    }

    public void Dispose()
    {
    }
}
