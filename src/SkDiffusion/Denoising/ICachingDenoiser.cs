namespace SkDiffusion.Denoising;

/// <summary>
/// A denoiser that can run part of a canvas against keys and values kept from an earlier run (Fast-dLLM prefix and
/// dual cache). Keys are stored after the rotary embedding, so cached positions keep their absolute positions.
/// </summary>
internal interface ICachingDenoiser : IDenoiser
{
    /// <summary>Whether this instance can run with a cache (e.g. the graph has past/present tensors).</summary>
    bool SupportsCache { get; }

    /// <summary>Runs <see cref="CachedDenoiserInput.SequenceLength"/> positions against the past.</summary>
    /// <param name="input">Tokens, positions, mask over past and current, and the past.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>Logits for the positions run and, when asked for, the present keys and values.</returns>
    ValueTask<CachedDenoiserOutput> DenoiseWithCacheAsync(CachedDenoiserInput input, CancellationToken cancellationToken = default);
}
