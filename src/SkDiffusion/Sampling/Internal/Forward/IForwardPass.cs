using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>One denoiser call per step: the whole canvas, or part of it against cached keys and values.</summary>
internal interface IForwardPass : IDisposable
{
    /// <summary>The canvas position of the output's first position (a cached window starts later).</summary>
    int LogitsOffset { get; }

    /// <summary>The positions per row the output of the last call holds.</summary>
    int ExpectedLength { get; }

    /// <summary>Calls that rebuilt the key/value cache from the whole canvas (0 without a cache).</summary>
    int CacheRefreshes { get; }

    /// <summary>Runs the denoiser on the current canvas; the caller disposes the output.</summary>
    ValueTask<DenoiserOutput> RunAsync(CancellationToken cancellationToken);
}
