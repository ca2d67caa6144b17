namespace SkDiffusion.Sampling;

/// <summary>
/// Key/value caching across steps (Fast-dLLM). Attention is bidirectional, so a cache is an approximation refreshed at
/// block boundaries; every mode needs <see cref="SamplerOptions.BlockLength"/> and a denoiser with a key/value cache
/// (<see cref="Denoising.OnnxDenoiser.SupportsCache"/>).
/// </summary>
public enum CacheMode
{
    /// <summary>No cache: every step runs the whole canvas (exact; the default).</summary>
    None,

    /// <summary>
    /// Prefix cache: at each block start the whole canvas runs once and the keys and values of everything before the
    /// block are kept; the other steps of the block run only the block and what follows it.
    /// </summary>
    Prefix,

    /// <summary>
    /// Dual cache: keeps the keys and values of everything before and after the current block; the other steps of
    /// the block run only the block itself. Refreshed at each block start.
    /// </summary>
    Dual,
}
