using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// Runs the embedded model on the CPU but hands back its present caches marked as device-resident, as a CUDA
/// <see cref="OnnxDenoiser"/> with <see cref="OnnxDenoiserOptions.DeviceResidentCaches"/> does, so the sampler's
/// whole-cache (masking) path runs here. Records the past length of every cached run.
/// </summary>
internal sealed class DeviceResidencyDenoiser(OnnxDenoiser inner) : ICachingDenoiser
{
    public List<int> PastLengths { get; } = [];

    /// <summary>
    /// Decodes <paramref name="canvas"/> with the trimmed cache (on <paramref name="inner"/>) and with the whole cache
    /// (through this decorator), and asserts that every sequence gets the same tokens and that a step read the whole
    /// canvas as its past.
    /// </summary>
    public static async Task<(SamplingResult Trimmed, SamplingResult Whole, DeviceResidencyDenoiser Device)> DecodeBothWaysAsync(OnnxDenoiser inner, ModelManifest manifest, DiffusionCanvas canvas, SamplerOptions options)
    {
        SamplingResult trimmed = await DiffusionSampler.Create(inner, manifest).SampleAsync(canvas, options);
        var device = new DeviceResidencyDenoiser(inner);
        SamplingResult whole = await DiffusionSampler.Create(device, manifest).SampleAsync(canvas, options);
        for (int i = 0; i < canvas.BatchSize; i++)
        {
            Assert.Equal(trimmed.Sequences[i].Tokens, whole.Sequences[i].Tokens);
        }

        Assert.Contains(canvas.SequenceLength, device.PastLengths);
        return (trimmed, whole, device);
    }

    public int Presents { get; private set; }

    public bool SupportsCache => inner.SupportsCache;

    public int VocabularySize => inner.VocabularySize;

    public int MaxSequenceLength => inner.MaxSequenceLength;

    public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default) =>
        inner.DenoiseAsync(input, cancellationToken);

    public async ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default)
    {
        PastLengths.Add(input.PastLength);
        CachedDenoiserOutput output = await inner.DenoiseWithCacheAsync(input, cancellationToken);
        if (output.Present is null)
        {
            return output;
        }

        Presents++;
        return new CachedDenoiserOutput(output.Logits, output.Present.Detach(hostResident: false));
    }

    public void Dispose()
    {
        // The fixture owns the inner denoiser.
    }
}
