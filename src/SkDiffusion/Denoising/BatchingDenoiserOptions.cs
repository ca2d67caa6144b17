namespace SkDiffusion.Denoising;

/// <summary>Options for <see cref="BatchingDenoiser.Create"/>.</summary>
public sealed class BatchingDenoiserOptions
{
    /// <summary>The most canvas rows one combined run takes (a single larger request still runs alone). Default 32.</summary>
    public int MaxBatchRows { get; set; } = 32;

    /// <summary>
    /// How long the first request of a batch waits for others before the run starts. Default zero: requests that arrive
    /// while a run is in flight form the next batch, so batching adds no latency to a lone request.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.Zero;

    /// <summary>Whether disposing the batching denoiser disposes the inner one. Default <see langword="true"/>.</summary>
    public bool OwnsInner { get; set; } = true;
}
