using SkDiffusion.Denoising;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// Runs the embedded model on the CPU but hands back its present caches marked as device-resident, as a CUDA
/// <see cref="OnnxDenoiser"/> with <see cref="OnnxDenoiserOptions.DeviceResidentCaches"/> does, so the sampler's
/// whole-cache (masking) path runs here. Records the past length of every cached run.
/// </summary>
internal sealed class DeviceResidencyDenoiser(OnnxDenoiser inner) : ICachingDenoiser
{
    public List<int> PastLengths { get; } = [];

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
