namespace SkDiffusion.Sampling;

/// <summary>
/// Key/value caching across steps. Attention is bidirectional, so a cache is an approximation refreshed now and then;
/// every mode needs a denoiser with a key/value cache (<see cref="Denoising.OnnxDenoiser.SupportsCache"/>), the
/// prefix and dual caches also <see cref="SamplerOptions.BlockLength"/>.
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

    /// <summary>
    /// dKV-Cache (delayed caching): masked positions are never cached; a decoded token's keys and values are cached
    /// one step after it is decoded, from the first pass that sees the token itself. Each step runs the positions not
    /// cached; a full pass rebuilds the cache every <see cref="CacheRefreshOptions.Interval"/> calls and when a cached
    /// token is remasked. Not for shifted logits (Dream); the cache is kept in host memory.
    /// </summary>
    Delayed,

    /// <summary>
    /// dLLM-Cache: every position stays cached; a full pass every <see cref="CacheRefreshOptions.PromptInterval"/>
    /// calls (the prompt's long interval), a pass over the whole answer every <see cref="CacheRefreshOptions.Interval"/>
    /// calls, and in between the current blocks' masks plus the <see cref="CacheRefreshOptions.ResponseFraction"/> of
    /// the answer whose values are least similar to the cache (changed tokens first). Not for shifted logits (Dream);
    /// the cache is kept in host memory.
    /// </summary>
    Adaptive,
}
