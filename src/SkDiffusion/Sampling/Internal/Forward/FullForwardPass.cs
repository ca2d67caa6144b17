using SkDiffusion.Denoising;

namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>The exact pass: the whole canvas every step, logits only at the current blocks' masks.</summary>
internal sealed class FullForwardPass(IDenoiser denoiser, ModelInputBuilder input, int length) : IForwardPass
{
    public int LogitsOffset => 0;

    public int ExpectedLength => length;

    /// <inheritdoc />
    public int CacheRefreshes => 0;

    public ValueTask<DenoiserOutput> RunAsync(CancellationToken cancellationToken)
    {
        input.WriteRows();
        return denoiser.DenoiseAsync(input.FullInput(), cancellationToken);
    }

    public void Dispose()
    {
    }
}
